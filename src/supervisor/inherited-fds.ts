/**
 * Descriptors mcp-guard inherited without close-on-exec (a client's or a shell's, by mistake or
 * on purpose) would pass on to every server it spawns, sandbox or not: a confined server could
 * read or overwrite a host file through one, past every rule of its sandbox. mcp-guard never
 * uses them, so it closes them before a spawn. Node opens its own descriptors close-on-exec, so
 * a descriptor above 2 without that flag is inherited — except the log files V8 opens for
 * itself before any JavaScript runs, when node was started with flags that ask for them
 * (`--perf-basic-prof`: `/tmp/perf-<pid>.map`, `--perf-prof`: `jit-<pid>.dump`, `--prof`:
 * `isolate-0x…-<pid>-v8.log`). V8 keeps writing to the descriptor it opened; closed, its number
 * goes to mcp-guard's next pipe or file, and V8's lines would land there (in the watchdog's pipe,
 * a launch ended at once). Those are told apart by their names, which carry this process's own
 * pid (a `--logfile` without the per-isolate prefix has none, and is closed as before). Linux
 * only (/proc/self).
 */
import { basename } from 'node:path';
import { closeSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** Why: whether `target` (what a descriptor points at) is one of V8's own log files (see above). */
export function isOwnV8Log(target: string, pid: number): boolean {
  const name = basename(target);
  return (
    name === `perf-${pid}.map` ||
    name === `jit-${pid}.dump` ||
    (name.startsWith('isolate-0x') && name.includes(`-${pid}-`))
  );
}

/**
 * Why: the descriptors above 2 of `fdinfo` entries whose flags lack close-on-exec, leaving out
 * `keep` and those `isOwn` says this process opened for itself.
 */
export function inheritedDescriptors(
  entries: readonly string[],
  readInfo: (fd: number) => string,
  keep: readonly number[] = [],
  isOwn: (fd: number) => boolean = () => false,
): number[] {
  const found: number[] = [];
  for (const entry of entries) {
    const fd = Number(entry);
    if (!Number.isInteger(fd) || fd <= 2 || keep.includes(fd)) continue;
    let info: string;
    try {
      info = readInfo(fd);
    } catch {
      continue; // the directory's own descriptor, closed meanwhile
    }
    const flags = /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
    if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0 && !isOwn(fd)) found.push(fd);
  }
  return found;
}

/**
 * Why: closes what mcp-guard inherited without close-on-exec (Node's IPC channel excepted), and
 * returns V8's own log descriptors, left open for V8: a spawn covers them (coverOwnLogs).
 */
export function closeInheritedDescriptors(platform: NodeJS.Platform = process.platform): number[] {
  const own: number[] = [];
  if (platform !== 'linux') return own;
  let entries: string[];
  try {
    entries = readdirSync('/proc/self/fdinfo');
  } catch {
    return own;
  }
  const channel = Number(process.env.NODE_CHANNEL_FD);
  const keep = Number.isInteger(channel) ? [channel] : [];
  const read = (fd: number): string => readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  const isOwn = (fd: number): boolean => {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return false;
    }
    if (!isOwnV8Log(target, process.pid)) return false;
    own.push(fd);
    return true;
  };
  for (const fd of inheritedDescriptors(entries, read, keep, isOwn)) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
  return own;
}

/**
 * Why: what a spawn's stdio needs after its `used` entries so that each of V8's own log
 * descriptors (`own`) is `nullFd` (/dev/null) in the child, never V8's file: the numbers between
 * are left as they are ('ignore'; nothing else without close-on-exec is open by then), and one
 * below `used` is already covered by that entry's pipe.
 */
export function coverOwnLogs(
  used: number,
  own: readonly number[],
  nullFd: number,
): Array<'ignore' | number> {
  const extra: Array<'ignore' | number> = [];
  for (const fd of [...own].sort((a, b) => a - b)) {
    if (fd < used + extra.length) continue;
    while (used + extra.length < fd) extra.push('ignore');
    extra.push(nullFd);
  }
  return extra;
}
