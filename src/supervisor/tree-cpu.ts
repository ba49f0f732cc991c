/**
 * The CPU time a server's whole process tree has used, for telling a busy server from a hung one
 * (SPEC section 5: a silent server whose tree uses no CPU is hung, even mid-call). The tree is the
 * process and its descendants by parent pid — not its process group, which bubblewrap's sandbox
 * leaves for one of its own — plus what exited descendants used (their parents' cutime, cstime).
 * Linux only (/proc); elsewhere the time is unknown and the health check falls back to counting
 * a request in flight as busy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseStat, type ProcStat } from './process-group.js';

/** Linux reports CPU time in USER_HZ ticks, 100 per second on every architecture it supports. */
const MS_PER_TICK = 10;

/** Milliseconds of CPU used by `root` and its descendants, from /proc `entries`. */
export function treeCpuMs(
  root: number,
  entries: readonly string[],
  readStat: (pid: string) => string,
): number | null {
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), parseStat(readStat(entry)));
    } catch {
      // exited meanwhile
    }
  }
  if (!stats.has(root)) return null;
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings === undefined) children.set(stat.ppid, [pid]);
    else siblings.push(pid);
  }
  let ticks = 0;
  const seen = new Set<number>();
  const todo = [root];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += stats.get(pid)?.cpuTicks ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return ticks * MS_PER_TICK;
}

/** Why: the CPU time of a live server's tree; null where /proc cannot tell (not Linux, gone). */
export function readTreeCpuMs(root: number, platform = process.platform): number | null {
  if (platform !== 'linux') return null;
  try {
    return treeCpuMs(root, readdirSync('/proc'), (pid) =>
      readFileSync(`/proc/${pid}/stat`, 'utf8'),
    );
  } catch {
    return null;
  }
}
