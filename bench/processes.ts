/**
 * What the benchmark learns about processes from Linux's /proc: a relay's memory, and the
 * processes it started (so none outlives its session and skews the next measurement).
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface Memory {
  /** Resident set size now, bytes (VmRSS). */
  rss: number;
  /** Peak resident set size over the process's life, bytes (VmHWM). */
  peak: number;
}

/** Why: RSS of the relay process itself, not of the server behind it; null where /proc is absent. */
export function readMemory(pid: number): Memory | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): number | null => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  };
  const rss = field('VmRSS');
  const peak = field('VmHWM');
  return rss === null || peak === null ? null : { rss, peak };
}

/** Why: a relay's server is its child; knowing both lets teardown check that nothing is left. */
export function listDescendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name may contain spaces and parentheses; the fields after its last ')' do not.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const siblings = children.get(ppid) ?? [];
    siblings.push(Number(entry));
    children.set(ppid, siblings);
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Why: a zombie (exited, not yet reaped) still answers `kill(pid, 0)`, so /proc decides first. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc entry: gone on Linux; elsewhere ask the kernel directly.
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
