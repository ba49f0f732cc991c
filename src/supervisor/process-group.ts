/**
 * Whether a process group still has a living member. `kill(-pgid, 0)` also counts zombies — dead
 * processes their new parent has not reaped yet, which some containers' init leaves for a long
 * time — so on Linux the group's members are read from /proc and zombies are ignored.
 */
import { readdirSync, readFileSync } from 'node:fs';

export function groupAlive(pgid: number, platform: NodeJS.Platform = process.platform): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (platform !== 'linux') return true;
  try {
    return (
      livingMembers(pgid, readdirSync('/proc'), (pid) =>
        readFileSync(`/proc/${pid}/stat`, 'utf8'),
      ) > 0
    );
  } catch {
    return true;
  }
}

/** What mcp-guard reads of a /proc/<pid>/stat line. */
export interface ProcStat {
  /** Neither a zombie nor dead: it still runs, whatever `kill(pid, 0)` says. */
  living: boolean;
  ppid: number;
  pgrp: number;
  /** CPU time in clock ticks: its own (utime, stime) and its reaped children's (cutime, cstime). */
  cpuTicks: number;
  /** Resident set size, in pages. */
  rssPages: number;
}

/** "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses. */
export function parseStat(stat: string): ProcStat {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  // Fields 14-17 of the line (utime stime cutime cstime) are 11-14 after the state.
  const ticks = fields.slice(11, 15).reduce((sum, field) => sum + (Number(field) || 0), 0);
  return {
    living: state !== 'Z' && state !== 'X',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuTicks: ticks,
    // Field 24 of the line (rss) is 21 after the state.
    rssPages: Number(fields[21]) || 0,
  };
}

/** The living processes among /proc `entries` whose stat `matches`. */
export function livingProcesses(
  entries: readonly string[],
  readStat: (pid: string) => string,
  matches: (stat: ProcStat) => boolean,
): number[] {
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: ProcStat;
    try {
      stat = parseStat(readStat(entry));
    } catch {
      continue; // exited meanwhile
    }
    if (stat.living && matches(stat)) found.push(Number(entry));
  }
  return found;
}

/** Counts the group's members that are not zombies, from /proc/<pid>/stat lines. */
export function livingMembers(
  pgid: number,
  entries: readonly string[],
  readStat: (pid: string) => string,
): number {
  return livingProcesses(entries, readStat, (stat) => stat.pgrp === pgid).length;
}

/** Sends a signal to a whole group; false when no such group exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a process is alive: signal 0 reaches it and, on Linux, it is not a zombie. */
export function processAlive(pid: number, platform: NodeJS.Platform = process.platform): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (platform !== 'linux') return true;
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).living;
  } catch {
    return false;
  }
}
