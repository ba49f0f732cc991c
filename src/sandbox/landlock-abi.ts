/**
 * Landlock's access rights by ABI version (include/uapi/linux/landlock.h), and what a launch
 * confines at a given ABI: the launch plan, `doctor` and `sandbox.applied` all describe the
 * confinement from here, so they never disagree about what the kernel can enforce.
 */
import { socketFilterAvailable } from './seccomp.js';

/** How a launch may use one path; the launcher turns it into the rights the kernel knows. */
export type LandlockAccess = 'read' | 'write' | 'list' | 'device';

const FS = {
  execute: 1n << 0n,
  writeFile: 1n << 1n,
  readFile: 1n << 2n,
  readDir: 1n << 3n,
  removeDir: 1n << 4n,
  removeFile: 1n << 5n,
  makeChar: 1n << 6n,
  makeDir: 1n << 7n,
  makeReg: 1n << 8n,
  makeSock: 1n << 9n,
  makeFifo: 1n << 10n,
  makeBlock: 1n << 11n,
  makeSym: 1n << 12n,
  refer: 1n << 13n,
  truncate: 1n << 14n,
  ioctlDev: 1n << 15n,
};
const NET = { bindTcp: 1n << 0n, connectTcp: 1n << 1n };
const SCOPE = { abstractUnixSocket: 1n << 0n, signal: 1n << 1n };

/** The lowest ABI mcp-guard uses (Linux 6.2): ABI 1 would let a server move files across roots. */
export const MIN_ABI = 2;

/** Every filesystem right the kernel of `abi` knows (all handled: what is not granted is denied). */
export function handledFs(abi: number): bigint {
  let rights = (1n << 13n) - 1n;
  if (abi >= 2) rights |= FS.refer;
  if (abi >= 3) rights |= FS.truncate;
  if (abi >= 5) rights |= FS.ioctlDev;
  return rights;
}

/** TCP bind and connect are handled (all denied, no port granted) under `network: deny`, ABI 4+. */
export function handledNet(abi: number, denyNetwork: boolean): bigint {
  return denyNetwork && abi >= 4 ? NET.bindTcp | NET.connectTcp : 0n;
}

/** ABI 6+: no abstract unix socket and no signal crosses the sandbox's edge. */
export function scoped(abi: number): bigint {
  return abi >= 6 ? SCOPE.abstractUnixSocket | SCOPE.signal : 0n;
}

/** The size of `struct landlock_ruleset_attr` as the kernel of `abi` knows it. */
export function rulesetAttrSize(abi: number): number {
  return abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
}

const FILE_RIGHTS = FS.execute | FS.writeFile | FS.readFile | FS.truncate | FS.ioctlDev;

/** The rights granted for one use of a path (`file`: a rule on a file takes file rights only). */
export function rightsFor(access: LandlockAccess, abi: number, file: boolean): bigint {
  const known = handledFs(abi);
  let rights: bigint;
  switch (access) {
    case 'read':
      rights = FS.execute | FS.readFile | FS.readDir;
      break;
    case 'list':
      rights = FS.readDir;
      break;
    case 'device':
      rights = FS.readFile | FS.writeFile | FS.ioctlDev;
      break;
    case 'write':
      rights = known & ~(FS.makeChar | FS.makeBlock | FS.ioctlDev);
      break;
  }
  return rights & known & (file ? FILE_RIGHTS : ~0n);
}

/**
 * What a Landlock launch enforces and what it cannot, at `abi`, for `doctor` and the audit.
 * `filtered`: the launch gets the socket program under `network: deny` (seccomp.ts).
 */
export function landlockCoverage(
  abi: number,
  network: 'allow' | 'deny',
  filtered: boolean = socketFilterAvailable(),
): { confines: string[]; limits: string[] } {
  const sockets = network === 'deny' && filtered;
  const confines = [
    'filesystem: program and system folders read-only, roots read-write, readOnly paths read-only, deny matches and mcp-guard state refused',
    'no privilege: no_new_privs, every capability dropped (also when started as root)',
  ];
  const limits = [
    'no process isolation: host processes stay visible in /proc (their memory and environment are not readable)',
    sockets
      ? 'no IPC isolation: System V IPC not separated'
      : 'no IPC isolation: host unix sockets (ssh-agent, D-Bus, docker) reachable by path, System V IPC not separated',
    'no private /tmp or $HOME: writes there are refused (TMPDIR is the private cache)',
    'survivors: a descendant that clears MCP_GUARD_TREE from its environment and leaves the process group (setsid) outlives the stop',
  ];
  if (abi >= 6) confines.push('abstract unix sockets and signals stay inside the sandbox');
  else limits.push(`abstract unix sockets and signals not scoped (ABI ${abi} < 6)`);
  if (network === 'deny') {
    if (abi >= 4) confines.push('network deny: TCP connect and bind refused');
    else limits.push(`network deny: not enforced (TCP rules need ABI 4, kernel has ${abi})`);
    if (sockets) {
      confines.push(
        'network deny: no socket but netlink and socketpair(2) (seccomp): no UDP, no unix socket reached by path',
      );
    } else limits.push('network deny: UDP and other non-TCP protocols are not filtered');
  }
  return { confines, limits };
}
