/**
 * The socket rule of `network: deny`, as a seccomp program (classic BPF, `struct sock_filter`
 * records): the server creates no socket of a family outside `allow`, whatever path or name it
 * would reach — a unix socket a host process makes in a root after the launch, ssh-agent, D-Bus,
 * docker under Landlock. socketpair(2) stays open for connected pairs (stream, seqpacket: Node
 * and libuv make a child's stdio with them), and so does every other call. io_uring_setup(2) is refused: io_uring creates sockets by a
 * path seccomp does not see. The program knows x86_64 and aarch64; a call made in another
 * architecture's convention (i386's int 0x80, arm32 compat) or with x32's numbers kills the
 * process rather than pass unexamined. Pure: bubblewrap (`--seccomp`) and the Landlock launcher
 * (prctl(PR_SET_SECCOMP)) load the same bytes.
 */

/** Socket families (linux/socket.h). */
export const AF = { unix: 1, inet: 2, inet6: 10, netlink: 16 } as const;

/** What seccomp_data holds where (linux/seccomp.h: int nr; __u32 arch; __u64 ip; __u64 args[6]). */
const OFFSET = { nr: 0, arch: 4, arg0Low: 16, arg1Low: 24 } as const;

/** Socket types (linux/net.h), in the low bits of socketpair's `type` (SOCK_TYPE_MASK). */
export const SOCK = { stream: 1, dgram: 2, seqpacket: 5, typeMask: 0xf } as const;

/** AUDIT_ARCH_*: EM_* | __AUDIT_ARCH_64BIT (0x80000000) | __AUDIT_ARCH_LE (0x40000000). */
export const AUDIT_ARCH = { x86_64: 0xc000003e, aarch64: 0xc00000b7 } as const;
/** x32's syscall numbers on x86_64 carry this bit. */
const X32_SYSCALL_BIT = 0x40000000;

/** The calls the program looks at, by architecture (asm/unistd_64.h, asm-generic/unistd.h). */
export const SYSCALLS = {
  x86_64: { socket: 41, socketpair: 53, ioUringSetup: 425 },
  aarch64: { socket: 198, socketpair: 199, ioUringSetup: 425 },
} as const;

const EACCES = 13;
export const RET = {
  allow: 0x7fff0000,
  errno: (code: number) => 0x00050000 | code,
  killProcess: 0x80000000,
} as const;

/**
 * linux/bpf_common.h: BPF_LD|BPF_W|BPF_ABS, BPF_ALU|BPF_AND|BPF_K, BPF_JMP|BPF_JEQ|BPF_K,
 * BPF_JMP|BPF_JGE|BPF_K, BPF_RET|BPF_K.
 */
export const OP = { load: 0x20, and: 0x54, jeq: 0x15, jge: 0x35, ret: 0x06 } as const;

/** One instruction; a jump names the instruction it goes to when true and when false. */
type Step =
  | { op: 'load'; offset: number }
  | { op: 'and'; value: number }
  | { op: 'jeq' | 'jge'; value: number; then: string; else: string }
  | { op: 'ret'; value: number }
  | { label: string };

/** One `struct sock_filter`: u16 code, u8 jt, u8 jf, u32 k. */
export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** Why: the program for a launch, given the families the backend leaves open under deny. */
export function socketFilter(allow: readonly number[]): Instruction[] {
  const refuse = RET.errno(EACCES);
  const steps: Step[] = [
    { op: 'load', offset: OFFSET.arch },
    { op: 'jeq', value: AUDIT_ARCH.x86_64, then: 'x86_64', else: 'not-x86_64' },
    { label: 'not-x86_64' },
    { op: 'jeq', value: AUDIT_ARCH.aarch64, then: 'aarch64', else: 'foreign' },
    { label: 'x86_64' },
    { op: 'load', offset: OFFSET.nr },
    { op: 'jge', value: X32_SYSCALL_BIT, then: 'foreign', else: 'x86_64-calls' },
    { label: 'x86_64-calls' },
    ...calls('x86_64'),
    { label: 'aarch64' },
    { op: 'load', offset: OFFSET.nr },
    ...calls('aarch64'),
    { label: 'socket' },
    { op: 'load', offset: OFFSET.arg0Low },
    ...allow.flatMap((family, i): Step[] => [
      { op: 'jeq', value: family, then: 'allow', else: `family-${i}` },
      { label: `family-${i}` },
    ]),
    { op: 'ret', value: refuse },
    // A connected pair only: a datagram socket of a pair can still sendto(2) any socket path.
    { label: 'socketpair' },
    { op: 'load', offset: OFFSET.arg1Low },
    { op: 'and', value: SOCK.typeMask },
    { op: 'jeq', value: SOCK.stream, then: 'allow', else: 'not-stream' },
    { label: 'not-stream' },
    { op: 'jeq', value: SOCK.seqpacket, then: 'allow', else: 'refuse' },
    { label: 'refuse' },
    { op: 'ret', value: refuse },
    { label: 'allow' },
    { op: 'ret', value: RET.allow },
    { label: 'foreign' },
    { op: 'ret', value: RET.killProcess },
  ];
  return assemble(steps);
}

/** The checks of one architecture's call numbers (the number is loaded). */
function calls(arch: keyof typeof SYSCALLS): Step[] {
  const nr = SYSCALLS[arch];
  return [
    { op: 'jeq', value: nr.socket, then: 'socket', else: `${arch}-pair` },
    { label: `${arch}-pair` },
    { op: 'jeq', value: nr.socketpair, then: 'socketpair', else: `${arch}-uring` },
    { label: `${arch}-uring` },
    { op: 'jeq', value: nr.ioUringSetup, then: 'refuse', else: `${arch}-rest` },
    { label: `${arch}-rest` },
    { op: 'ret', value: RET.allow },
  ];
}

/** Labels to forward offsets (BPF jumps only forward, at most 255 instructions). */
function assemble(steps: readonly Step[]): Instruction[] {
  const at = new Map<string, number>();
  let count = 0;
  for (const step of steps) {
    if ('label' in step) at.set(step.label, count);
    else count += 1;
  }
  const jump = (from: number, label: string): number => {
    const to = at.get(label);
    const distance = to === undefined ? -1 : to - from - 1;
    if (distance < 0 || distance > 255) throw new Error(`seccomp: bad jump to ${label}`);
    return distance;
  };
  const out: Instruction[] = [];
  for (const step of steps) {
    if ('label' in step) continue;
    const index = out.length;
    switch (step.op) {
      case 'load':
        out.push({ code: OP.load, jt: 0, jf: 0, k: step.offset });
        break;
      case 'and':
        out.push({ code: OP.and, jt: 0, jf: 0, k: step.value });
        break;
      case 'jeq':
      case 'jge':
        out.push({
          code: OP[step.op],
          jt: jump(index, step.then),
          jf: jump(index, step.else),
          k: step.value,
        });
        break;
      case 'ret':
        out.push({ code: OP.ret, jt: 0, jf: 0, k: step.value });
        break;
    }
  }
  return out;
}

/** The program as the kernel reads it: 8 bytes an instruction, in the host's (little) endianness. */
export function encodeFilter(program: readonly Instruction[]): Buffer {
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(({ code, jt, jf, k }, i) => {
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return bytes;
}

/** Families each backend leaves open under `network: deny`. */
export const DENY_FAMILIES = {
  /** The network namespace holds only a loopback of its own: IP stays useful and goes nowhere. */
  bwrap: [AF.inet, AF.inet6, AF.netlink],
  /** No namespace: only netlink (interface lists; changing anything needs a capability). */
  landlock: [AF.netlink],
} as const;

/** The architectures the program knows (Node's names); elsewhere it would kill every call. */
const KNOWN_ARCHES: readonly string[] = ['x64', 'arm64'];

/** Why: whether a launch here gets the socket program (doctor and the audit say what holds). */
export function socketFilterAvailable(arch: string = process.arch): boolean {
  return KNOWN_ARCHES.includes(arch);
}

/**
 * Why: the bytes of the deny program for a backend on this machine, or null where the program
 * does not know the architecture (the launch then notes that unix sockets are not filtered).
 */
export function denyFilter(
  backend: keyof typeof DENY_FAMILIES,
  arch: string = process.arch,
): Buffer | null {
  return socketFilterAvailable(arch) ? encodeFilter(socketFilter(DENY_FAMILIES[backend])) : null;
}

/** The note a launch under `network: deny` carries where `denyFilter` has no program. */
export const NO_FILTER_NOTE =
  'network deny: sockets are not filtered on this architecture (seccomp program for x86_64 and aarch64 only)';
