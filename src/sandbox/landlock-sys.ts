/**
 * The few libc calls the Landlock launcher needs, through koffi (an FFI with prebuilt binaries:
 * no compiler, no install script). Only the launcher process imports this module, so koffi is
 * never loaded by mcp-guard itself. The Landlock calls go through syscall(2): their numbers are
 * the same on every architecture Linux added them to after 5.13.
 */
import koffi from 'koffi';

const SYS_LANDLOCK_CREATE_RULESET = 444;
const SYS_LANDLOCK_ADD_RULE = 445;
const SYS_LANDLOCK_RESTRICT_SELF = 446;
const SYS_CLOSE_RANGE = 436;
const CLOSE_RANGE_CLOEXEC = 4;
const LANDLOCK_CREATE_RULESET_VERSION = 1;
const LANDLOCK_RULE_PATH_BENEATH = 1;
const PR_SET_PDEATHSIG = 1;
const PR_CAPBSET_DROP = 24;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_SET_SECCOMP = 22;
const SECCOMP_MODE_FILTER = 2;
const PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_CLEAR_ALL = 4;
const CAP_LAST = 63;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;

const libc = koffi.load('libc.so.6');
const syscall = libc.func('long syscall(long number, ...)');
const prctl = libc.func(
  'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
);
const open = libc.func('int open(const char *path, int flags)');
const close = libc.func('int close(int fd)');
const fcntl = libc.func('int fcntl(int fd, int cmd, ...)');
const signal = libc.func('void *signal(int sig, void *handler)');
const execve = libc.func('int execve(const char *path, const char **argv, const char **envp)');
const strerror = libc.func('const char *strerror(int errnum)');
const CapHeader = koffi.struct('cap_header', { version: 'uint32_t', pid: 'int' });
/** Version 3 takes two `__user_cap_data_struct`s (capabilities 0–31, then 32–63). */
const CapData = koffi.struct('cap_data_v3', {
  effective0: 'uint32_t',
  permitted0: 'uint32_t',
  inheritable0: 'uint32_t',
  effective1: 'uint32_t',
  permitted1: 'uint32_t',
  inheritable1: 'uint32_t',
});
const capset = libc.func('capset', 'int', [koffi.pointer(CapHeader), koffi.pointer(CapData)]);

/** `struct sock_fprog`: the number of instructions and where they are. */
const SockFprog = koffi.struct('sock_fprog', { len: 'unsigned short', filter: 'void *' });
const prctlFilter = libc.func('prctl', 'int', [
  'int',
  'unsigned long',
  koffi.pointer(SockFprog),
  'unsigned long',
  'unsigned long',
]);

const RulesetAttr = koffi.struct('landlock_ruleset_attr', {
  handled_access_fs: 'uint64_t',
  handled_access_net: 'uint64_t',
  scoped: 'uint64_t',
});
const PathBeneathAttr = koffi.pack('landlock_path_beneath_attr', {
  allowed_access: 'uint64_t',
  parent_fd: 'int32_t',
});

/** A failed call: the call's name and errno's text. */
export class SysError extends Error {
  readonly errno: number;
  constructor(call: string, detail = '') {
    const errno = koffi.errno();
    super(
      `${call}${detail === '' ? '' : ` ${detail}`}: ${String(strerror(errno))} (errno ${errno})`,
    );
    this.errno = errno;
  }
}

function check(result: unknown, call: string, detail = ''): number {
  const value = Number(result);
  if (value < 0) throw new SysError(call, detail);
  return value;
}

/** The kernel's Landlock ABI version, or 0 when Landlock is missing or disabled (errno says). */
export function landlockAbi(): { abi: number; errno: number } {
  const result = Number(
    syscall(
      SYS_LANDLOCK_CREATE_RULESET,
      'void *',
      null,
      'size_t',
      0,
      'uint32_t',
      LANDLOCK_CREATE_RULESET_VERSION,
    ),
  );
  return result < 0 ? { abi: 0, errno: koffi.errno() } : { abi: result, errno: 0 };
}

/** A new ruleset handling these rights; `size` is the struct's size the ABI knows (8, 16, 24). */
export function createRuleset(fs: bigint, net: bigint, scoped: bigint, size: number): number {
  const attr = { handled_access_fs: fs, handled_access_net: net, scoped };
  return check(
    syscall(
      SYS_LANDLOCK_CREATE_RULESET,
      koffi.pointer(RulesetAttr),
      attr,
      'size_t',
      size,
      'uint32_t',
      0,
    ),
    'landlock_create_ruleset',
  );
}

/** Grants `access` beneath `path` (a folder) or on it (a file). */
export function addPathRule(ruleset: number, path: string, access: bigint): void {
  const fd = check(open(path, O_PATH | O_CLOEXEC), 'open', path);
  try {
    const attr = { allowed_access: access, parent_fd: fd };
    check(
      syscall(
        SYS_LANDLOCK_ADD_RULE,
        'int',
        ruleset,
        'int',
        LANDLOCK_RULE_PATH_BENEATH,
        koffi.pointer(PathBeneathAttr),
        attr,
        'uint32_t',
        0,
      ),
      'landlock_add_rule',
      path,
    );
  } finally {
    close(fd);
  }
}

/** Confines this process (and everything it executes) to the ruleset, for good. */
export function restrictSelf(ruleset: number): void {
  check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 'prctl(PR_SET_NO_NEW_PRIVS)');
  check(
    syscall(SYS_LANDLOCK_RESTRICT_SELF, 'int', ruleset, 'uint32_t', 0),
    'landlock_restrict_self',
  );
  close(ruleset);
}

/**
 * Loads a seccomp program (seccomp.ts) for this process and everything it executes, for good.
 * no_new_privs is set already (restrictSelf). prctl(2) rather than seccomp(2): its number is the
 * same on every architecture.
 */
export function loadFilter(program: Buffer): void {
  const fprog = { len: program.length / 8, filter: program };
  check(prctlFilter(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog, 0, 0), 'prctl(PR_SET_SECCOMP)');
}

/**
 * Gives up every capability for good (a server started as root keeps uid 0 but no privilege:
 * CAP_SYS_PTRACE, say, would let it read other processes' memory and environment past Landlock).
 * The bounding set is emptied first, so execve(2) cannot hand root its capabilities back.
 */
export function dropCapabilities(): void {
  for (let cap = 0; cap <= CAP_LAST; cap += 1) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  const none = { effective0: 0, permitted0: 0, inheritable0: 0 };
  const data = { ...none, effective1: 0, permitted1: 0, inheritable1: 0 };
  check(capset({ version: LINUX_CAPABILITY_VERSION_3, pid: 0 }, data), 'capset');
}

/** The exec'd program is killed when its parent (mcp-guard) dies. */
export function dieWithParent(): void {
  check(prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0), 'prctl(PR_SET_PDEATHSIG)');
}

/**
 * Node marks descriptors 0–2 close-on-exec and may leave them non-blocking, and ignores SIGPIPE
 * and SIGXFSZ; the server must start as a plain spawn would start it. Every descriptor above 2
 * is marked close-on-exec: only stdio crosses into the server (close_range(2), Linux 5.11; on an
 * older kernel mcp-guard has closed what it inherited already).
 */
export function resetForExec(): void {
  syscall(SYS_CLOSE_RANGE, 'uint32_t', 3, 'uint32_t', 0xffffffff, 'uint32_t', CLOSE_RANGE_CLOEXEC);
  for (const fd of [0, 1, 2]) {
    check(fcntl(fd, F_SETFD, 'int', 0), 'fcntl(F_SETFD)', String(fd));
    const flags = check(fcntl(fd, F_GETFL), 'fcntl(F_GETFL)', String(fd));
    if ((flags & O_NONBLOCK) !== 0) fcntl(fd, F_SETFL, 'int', flags & ~O_NONBLOCK);
  }
  for (const sig of [13, 25]) signal(sig, null);
}

/** Replaces this process with `path`; returns only by throwing. */
export function exec(
  path: string,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): never {
  const envp = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  execve(path, [...argv, null], [...envp, null]);
  throw new SysError('execve', path);
}
