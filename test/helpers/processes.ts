/**
 * Waiting on real processes and files without fixed sleeps: every wait has a timeout, and its
 * failure message is computed when it fails, so it can include the stderr captured by then.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describeNow, waitFor, type Describe } from './wait.js';

export { attachRaw, spawnRaw, type RawChild, type SpawnRawOptions } from './raw-client.js';
export { waitFor, type Describe } from './wait.js';

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

export interface TempDir {
  path: string;
  /** A path inside the folder. */
  join(...parts: string[]): string;
  remove(): Promise<void>;
}

/** A fresh folder under the OS temp dir; see testDir for one removed after the test. */
export async function createTempDir(prefix = 'mcp-guard-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    join: (...parts) => join(path, ...parts),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** A fresh temp dir removed when the test `t` ends (pass node:test's TestContext). */
export async function testDir(t: { after(fn: () => Promise<void>): void }): Promise<TempDir> {
  const dir = await createTempDir();
  t.after(() => dir.remove());
  return dir;
}
