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

/** Counts the group's members that are not zombies, from /proc/<pid>/stat lines. */
export function livingMembers(
  pgid: number,
  entries: readonly string[],
  readStat: (pid: string) => string,
): number {
  let living = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readStat(entry);
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') living += 1;
  }
  return living;
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
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
