/**
 * What a server's whole process tree uses: CPU time, for telling a busy server from a hung one
 * (SPEC section 5: a silent server whose tree uses no CPU is hung, even mid-call), and CPU and
 * resident memory for `status`, `up`, `/metrics` and `limits.maxMemory`. The tree is the process
 * and its descendants by parent pid — not its process group, which bubblewrap's sandbox leaves
 * for one of its own — plus what exited descendants used (their parents' cutime, cstime). Its RSS
 * is the sum of its processes' (pages two of them share are counted twice, as `ps` would).
 *
 * Linux only (/proc). A walk reads the tree's own /proc/<pid>/task/<tid>/children files where the
 * kernel has them, so a sample costs a few reads per process of the tree, not one per process of
 * the machine; elsewhere it scans /proc once. On other systems the usage is unknown (null): the
 * health check then counts a request in flight as busy, and `status` shows n/a.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseStat, type ProcStat } from './process-group.js';

/** Linux reports CPU time in USER_HZ ticks, 100 per second on every architecture it supports. */
const MS_PER_TICK = 10;

export interface TreeUsage {
  /** CPU time used so far by the tree (its exited members' included), in ms. */
  cpuMs: number;
  /** Resident memory of its living processes, in bytes. */
  rssBytes: number;
  /** How many processes it holds. */
  processes: number;
}

/** Sums `root` and its descendants, given each one's stat and children; null if `root` is gone. */
export function sumTree(
  root: number,
  statOf: (pid: number) => ProcStat | undefined,
  childrenOf: (pid: number) => readonly number[],
  pageSize: number,
): TreeUsage | null {
  if (statOf(root) === undefined) return null;
  let ticks = 0;
  let pages = 0;
  const seen = new Set<number>();
  const todo = [root];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    if (seen.has(pid)) continue;
    const stat = statOf(pid);
    if (stat === undefined) continue; // exited meanwhile
    seen.add(pid);
    ticks += stat.cpuTicks;
    pages += stat.rssPages;
    todo.push(...childrenOf(pid));
  }
  return { cpuMs: ticks * MS_PER_TICK, rssBytes: pages * pageSize, processes: seen.size };
}

/** The tree's usage from every /proc `entries`' stat line (the scan: any kernel). */
export function scanTreeUsage(
  root: number,
  entries: readonly string[],
  readStat: (pid: string) => string,
  pageSize: number,
): TreeUsage | null {
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), parseStat(readStat(entry)));
    } catch {
      // exited meanwhile
    }
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings === undefined) children.set(stat.ppid, [pid]);
    else siblings.push(pid);
  }
  return sumTree(
    root,
    (pid) => stats.get(pid),
    (pid) => children.get(pid) ?? [],
    pageSize,
  );
}

/** Milliseconds of CPU used by `root` and its descendants, from /proc `entries`. */
export function treeCpuMs(
  root: number,
  entries: readonly string[],
  readStat: (pid: string) => string,
): number | null {
  return scanTreeUsage(root, entries, readStat, 0)?.cpuMs ?? null;
}

const readStatOf = (pid: number | string): string => readFileSync(`/proc/${pid}/stat`, 'utf8');

/** The children of every thread of `pid`; null where the kernel has no children files. */
function procChildren(pid: number): number[] | null {
  const found: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // gone
  }
  for (const task of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && task === String(pid)) return null;
      continue; // the thread ended meanwhile
    }
    for (const word of text.split(' ')) if (word !== '' && word !== '\n') found.push(Number(word));
  }
  return found;
}

let childrenFiles: boolean | undefined;
let pageBytes: number | undefined;

/**
 * Why: the page size, which Node does not expose: this process's RSS in bytes (libuv) over its
 * RSS in pages (/proc), rounded to the page size it must be.
 */
function pageSize(): number {
  if (pageBytes !== undefined) return pageBytes;
  const bytes = process.memoryUsage.rss();
  const pages = parseStat(readStatOf('self')).rssPages;
  const ratio = pages > 0 ? bytes / pages : 4096;
  pageBytes = [4096, 16384, 65536].reduce((best, size) =>
    Math.abs(size - ratio) < Math.abs(best - ratio) ? size : best,
  );
  return pageBytes;
}

/** Why: what a live server's tree uses now; null where /proc cannot tell (not Linux, gone). */
export function readTreeUsage(root: number, platform = process.platform): TreeUsage | null {
  if (platform !== 'linux') return null;
  try {
    const size = pageSize();
    if (childrenFiles !== false) {
      const stats = new Map<number, ProcStat | undefined>();
      const statOf = (pid: number): ProcStat | undefined => {
        if (!stats.has(pid)) {
          try {
            stats.set(pid, parseStat(readStatOf(pid)));
          } catch {
            stats.set(pid, undefined);
          }
        }
        return stats.get(pid);
      };
      let missing = false;
      const usage = sumTree(
        root,
        statOf,
        (pid) => {
          const children = procChildren(pid);
          if (children === null) missing = true;
          return children ?? [];
        },
        size,
      );
      if (!missing) {
        childrenFiles = true;
        return usage;
      }
      childrenFiles = false;
    }
    return scanTreeUsage(root, readdirSync('/proc'), readStatOf, size);
  } catch {
    return null;
  }
}

/** Why: the CPU time of a live server's tree; null where /proc cannot tell (not Linux, gone). */
export function readTreeCpuMs(root: number, platform = process.platform): number | null {
  return readTreeUsage(root, platform)?.cpuMs ?? null;
}
