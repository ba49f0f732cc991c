/**
 * Finding every descendant of a server that runs without a PID namespace (no sandbox, Landlock),
 * also those that left its process group (`setsid`, a double fork into a new session): each
 * launch puts a random mark in the server's environment, which everything it starts inherits,
 * and the stop sequence and the watchdog look for that mark in /proc/<pid>/environ (Linux). A
 * process is signalled only while stopped and after its mark was read again, so a pid that was
 * reused by an unrelated process in between is never hit. A descendant that clears its environment
 * before leaving the group is not found (bubblewrap's PID namespace ends those).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { parseStat } from './process-group.js';

/** The variable that carries the mark; the Landlock launcher passes it on to the server. */
export const TREE_MARK_VAR = 'MCP_GUARD_TREE';

/** Why: a mark no unrelated process can carry by chance (128 random bits). */
export function newTreeMark(): string {
  return randomBytes(16).toString('hex');
}

/** Whether an environ block (NUL-separated `NAME=value` entries) carries the mark exactly. */
export function carriesMark(environ: string, mark: string): boolean {
  return `\0${environ}\0`.includes(`\0${TREE_MARK_VAR}=${mark}\0`);
}

/** The pids among /proc `entries` whose environment carries the mark (a zombie's is empty). */
export function markedAmong(
  entries: readonly string[],
  readEnviron: (pid: string) => string,
  mark: string,
): number[] {
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readEnviron(entry);
    } catch {
      continue; // gone, or another user's
    }
    if (carriesMark(environ, mark)) found.push(Number(entry));
  }
  return found;
}

const readEnviron = (pid: string | number): string =>
  readFileSync(`/proc/${pid}/environ`, 'latin1');

/** Why: the living processes that carry the mark; empty where /proc cannot be read. */
export function markedProcesses(mark: string): number[] {
  try {
    return markedAmong(readdirSync('/proc'), readEnviron, mark);
  } catch {
    return [];
  }
}

/**
 * Signals every marked process outside the process group `skipGroup` (signalled as a group
 * already): each is stopped, its mark read again, then signalled and continued, or only continued
 * when the pid is no longer a marked process. Returns how many were signalled.
 */
export function signalMarked(mark: string, signal: NodeJS.Signals, skipGroup: number): number {
  let signalled = 0;
  for (const pid of markedProcesses(mark)) {
    if (groupOf(pid) === skipGroup || !send(pid, 'SIGSTOP')) continue;
    let marked = false;
    try {
      marked = carriesMark(readEnviron(pid), mark);
    } catch {
      // gone meanwhile
    }
    if (marked && send(pid, signal)) signalled += 1;
    if (!marked || signal !== 'SIGKILL') send(pid, 'SIGCONT');
  }
  return signalled;
}

function groupOf(pid: number): number | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).pgrp;
  } catch {
    return null;
  }
}

function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
