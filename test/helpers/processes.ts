/**
 * Waiting on real processes and files without fixed sleeps: every wait has a timeout, and its
 * failure message is computed when it fails, so it can include the stderr captured by then.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import type { AfterContext } from './temp-dir.js';

import { describeNow, waitFor, type Describe } from './wait.js';

export { attachRaw, spawnRaw, type RawChild, type SpawnRawOptions } from './raw-client.js';
export { waitFor, type Describe } from './wait.js';
export { createTempDir, testDir, type TempDir } from './temp-dir.js';

/**
 * Whether `pid` is a live process: `kill(pid, 0)` succeeds and, on Linux, it is not a zombie
 * (an exited orphan whose reaper has not collected it yet still answers signal 0).
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S …": comm may contain spaces or parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The process group of `pid` (Linux, from /proc), or undefined where unknown. */
export function processGroup(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state, ppid, pgrp.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/** Resolves once `pid` is gone (see isAlive); rejects after `timeoutMs` naming it. */
export async function waitForExit(
  pid: number,
  timeoutMs: number,
  describe: Describe,
): Promise<void> {
  await waitFor(
    () => !isAlive(pid),
    timeoutMs,
    () => `pid ${pid} still alive: ${describeNow(describe)}`,
  );
}

/**
 * The pids in a pid file (fixtures append "<pid>\n" per start), once it holds at least `count`
 * complete lines; re-read every few milliseconds until then.
 */
export async function readPids(
  path: string,
  count: number,
  timeoutMs = 10_000,
  describe: Describe = '',
): Promise<number[]> {
  const read = async (): Promise<number[] | undefined> => {
    const text = await readFile(path, 'utf8').catch(() => '');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const pids = complete.split('\n').filter(Boolean).map(Number);
    return pids.length >= count && pids.every(Number.isInteger) ? pids : undefined;
  };
  return waitFor(
    read,
    timeoutMs,
    () => `${path} holds fewer than ${count} pids: ${describeNow(describe)}`,
  );
}

/** The first pid written to a pid file; see readPids. */
export async function readPidFile(
  path: string,
  timeoutMs: number,
  describe: Describe = '',
): Promise<number> {
  const [pid] = await readPids(path, 1, timeoutMs, describe);
  return pid!;
}

/** Every process below `pid` on the host, parents before their children (Linux, from /proc). */
export function descendants(pid: number): number[] {
  if (process.platform !== 'linux') return [];
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    try {
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), child]);
    } catch {
      // Gone while we looked.
    }
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/**
 * After the test `t`, whatever happened, SIGKILLs `child` and every process below it then, unless
 * it has exited (its pid may be another process's by then). The tree is read before the kill: a
 * process whose parent already died is no longer below it, which is what the tests' own orphan
 * checks and the test runner's leftover check are for.
 */
export function killTreeAfter(t: AfterContext, child: ChildProcess): void {
  t.after(() => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    killAll([child.pid, ...descendants(child.pid)]);
  });
}

/** SIGKILLs every pid still alive (cleanup after a test, whatever happened). */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone between the check and the kill.
    }
  }
}

/**
 * Processes whose environment names `text` (a test's temp folder, say): how a test finds the
 * daemons a server started that left its process tree (setsid, double fork) to clean them up.
 */
export function processesNaming(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(text)) found.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
