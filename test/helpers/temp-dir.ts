/**
 * Temp folders for tests: one per test, under the OS temp dir (which the test runner makes a
 * private, checked folder: whatever a test leaves in it fails the run), removed when the test
 * ends whatever happened.
 */
import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What node:test's TestContext offers for cleanup (also a suite's or a hook's context). */
export interface AfterContext {
  after(fn: () => Promise<void> | void): void;
}

export interface TempDir {
  path: string;
  /** A path inside the folder. */
  join(...parts: string[]): string;
  remove(): Promise<void>;
}

/** A fresh folder under the OS temp dir, not removed (see testDir and tempDir). */
export async function createTempDir(prefix = 'mcp-guard-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    join: (...parts) => join(path, ...parts),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** A fresh temp dir removed when the test `t` ends. */
export async function testDir(t: AfterContext, prefix?: string): Promise<TempDir> {
  const dir = await createTempDir(prefix);
  t.after(() => dir.remove());
  return dir;
}

/** testDir's path, created synchronously (for synchronous tests and helpers). */
export function tempDir(t: AfterContext, prefix = 'mcp-guard-test-'): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rm(path, { recursive: true, force: true }));
  return path;
}
