import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AF,
  AUDIT_ARCH,
  OP,
  RET,
  SYSCALLS,
  denyFilter,
  socketFilterAvailable,
} from '../../../src/sandbox/seccomp.js';

const AUDIT_ARCH_I386 = 0x40000003;
const X32 = 0x40000000;
const EACCES = RET.errno(13);

/** `struct seccomp_data` for one call: nr, arch, instruction pointer, args (little-endian). */
function callData(arch: number, nr: number, arg0: bigint = 0n, arg1: bigint = 0n): Buffer {
  const data = Buffer.alloc(64);
  data.writeInt32LE(nr | 0, 0);
  data.writeUInt32LE(arch >>> 0, 4);
  data.writeBigUInt64LE(arg0, 16);
  data.writeBigUInt64LE(arg1, 24);
  return data;
}

/** Runs the program's bytes as the kernel would (the four instructions it uses) on `data`. */
function run(program: Buffer, data: Buffer): number {
  let acc = 0;
  for (let pc = 0; pc * 8 < program.length;) {
    const at = pc * 8;
    const code = program.readUInt16LE(at);
    const [jt, jf] = [program.readUInt8(at + 2), program.readUInt8(at + 3)];
    const k = program.readUInt32LE(at + 4);
    if (code === OP.load) {
      acc = data.readUInt32LE(k);
      pc += 1;
    } else if (code === OP.and) {
      acc = (acc & k) >>> 0;
      pc += 1;
    } else if (code === OP.jeq || code === OP.jge) {
      const taken = code === OP.jeq ? acc === k : acc >= k;
      pc += 1 + (taken ? jt : jf);
    } else if (code === OP.ret) {
      return k;
    } else {
      throw new Error(`unexpected instruction ${code} at ${pc}`);
    }
  }
  throw new Error('ran off the end of the program');
}

const x86 = SYSCALLS.x86_64;
const arm = SYSCALLS.aarch64;
const SOCK_CLOEXEC = 0o2000000n;
const SOCK_NONBLOCK = 0o4000n;
const READ = { x86_64: 0, aarch64: 63 };

const CASES: [string, Buffer, { bwrap: number; landlock: number }][] = [
  [
    'x86_64 socket(AF_UNIX)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 1n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 1n, 1n | SOCK_CLOEXEC),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_INET6, SOCK_STREAM)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 10n, 1n),
    { bwrap: RET.allow, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_UNIX, SOCK_SEQPACKET)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 1n, 5n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_UNIX), high bits set',
    callData(AUDIT_ARCH.x86_64, x86.socket, (7n << 32n) | 1n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_INET)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 2n),
    { bwrap: RET.allow, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_INET6)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 10n),
    { bwrap: RET.allow, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_NETLINK)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 16n),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
  [
    'x86_64 socket(AF_PACKET)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 17n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 socket(AF_VSOCK)',
    callData(AUDIT_ARCH.x86_64, x86.socket, 40n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC) (libuv)',
    callData(AUDIT_ARCH.x86_64, x86.socketpair, 1n, 1n | SOCK_CLOEXEC),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
  [
    'x86_64 socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK)',
    callData(AUDIT_ARCH.x86_64, x86.socketpair, 1n, 5n | SOCK_NONBLOCK),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
  [
    'x86_64 socketpair(AF_UNIX, SOCK_DGRAM) (could sendto any socket path)',
    callData(AUDIT_ARCH.x86_64, x86.socketpair, 1n, 2n | SOCK_CLOEXEC),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 io_uring_setup',
    callData(AUDIT_ARCH.x86_64, x86.ioUringSetup),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'x86_64 read',
    callData(AUDIT_ARCH.x86_64, READ.x86_64, 1n),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
  [
    'x32 socket(AF_UNIX)',
    callData(AUDIT_ARCH.x86_64, X32 + x86.socket, 1n),
    { bwrap: RET.killProcess, landlock: RET.killProcess },
  ],
  [
    'x32 read',
    callData(AUDIT_ARCH.x86_64, X32 + READ.x86_64),
    { bwrap: RET.killProcess, landlock: RET.killProcess },
  ],
  [
    'i386 socketcall',
    callData(AUDIT_ARCH_I386, 102, 1n),
    { bwrap: RET.killProcess, landlock: RET.killProcess },
  ],
  [
    'aarch64 socket(AF_UNIX)',
    callData(AUDIT_ARCH.aarch64, arm.socket, 1n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'aarch64 socket(AF_UNIX, SOCK_STREAM)',
    callData(AUDIT_ARCH.aarch64, arm.socket, 1n, 1n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'aarch64 socket(AF_INET)',
    callData(AUDIT_ARCH.aarch64, arm.socket, 2n),
    { bwrap: RET.allow, landlock: EACCES },
  ],
  [
    'aarch64 socketpair(AF_UNIX, SOCK_STREAM)',
    callData(AUDIT_ARCH.aarch64, arm.socketpair, 1n, 1n),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
  [
    'aarch64 socketpair(AF_UNIX, SOCK_DGRAM)',
    callData(AUDIT_ARCH.aarch64, arm.socketpair, 1n, 2n),
    { bwrap: EACCES, landlock: EACCES },
  ],
  [
    'aarch64 io_uring_setup',
    callData(AUDIT_ARCH.aarch64, arm.ioUringSetup),
    { bwrap: EACCES, landlock: EACCES },
  ],
  // x86_64's socket number is another call on aarch64 (and the reverse): only the arch's own counts.
  [
    'aarch64 call 41',
    callData(AUDIT_ARCH.aarch64, x86.socket, 1n),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
  [
    'x86_64 call 198',
    callData(AUDIT_ARCH.x86_64, arm.socket, 1n),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
  [
    'aarch64 read',
    callData(AUDIT_ARCH.aarch64, READ.aarch64),
    { bwrap: RET.allow, landlock: RET.allow },
  ],
];

for (const backend of ['bwrap', 'landlock'] as const) {
  test(`the deny program for ${backend}: what each call gets`, () => {
    const program = denyFilter(backend, 'x64');
    assert.ok(program !== null);
    for (const [name, data, expected] of CASES) {
      assert.equal(run(program, data).toString(16), expected[backend].toString(16), name);
    }
  });
}

test('the deny program: whole instructions, the arch checked first, every path ends in a return', () => {
  const program = denyFilter('landlock', 'arm64')!;
  assert.equal(program.length % 8, 0);
  assert.ok(program.length / 8 < 64);
  assert.deepEqual(
    [program.readUInt16LE(0), program.readUInt32LE(4)],
    [OP.load, 4],
    'loads seccomp_data.arch first',
  );
  assert.equal(program.readUInt16LE(program.length - 8), OP.ret);
  for (let at = 0; at < program.length; at += 8) {
    const code = program.readUInt16LE(at);
    if (code !== OP.jeq && code !== OP.jge) continue;
    const last = program.length / 8 - 1;
    for (const offset of [program.readUInt8(at + 2), program.readUInt8(at + 3)]) {
      assert.ok(at / 8 + 1 + offset <= last, `jump from ${at / 8} stays inside`);
    }
  }
  assert.equal(AF.unix, 1);
});

test('the deny program exists for x86_64 and aarch64 only', () => {
  assert.deepEqual(
    ['x64', 'arm64', 'ppc64', 'riscv64', 'ia32'].map((a) => socketFilterAvailable(a)),
    [true, true, false, false, false],
  );
  assert.equal(denyFilter('bwrap', 'riscv64'), null);
});
