/**
 * `run` and `up` ask V8 to optimise sooner once their sessions have started (src/cli/tiering.ts):
 * the flags reach V8 in the relay's own process, after startup, and only on the engine they were
 * measured on. A preload records what the process hands to node:v8's setFlagsFromString.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tieringFlags } from '../../src/cli/tiering.js';
import { startGuard, tempDir } from '../helpers/guard-process.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { killTreeAfter } from '../helpers/processes.js';
import { waitFor, waitOn } from '../helpers/wait.js';

const RECORDER = join(FIXTURES, 'record-v8-flags.cjs');
const ECHO = join(FIXTURES, 'echo.mjs');

/** The flag strings the process with this pid set, in order (none: no file). */
function flagsSetBy(dir: string, pid: number | undefined): string[] {
  const file = join(dir, `${pid}.txt`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const expected = (): string[] => {
  const flags = tieringFlags(process.versions.v8);
  return flags === undefined ? [] : [flags];
};

test('run sets the tier-up flags in its own process once the session has started', async (t) => {
  const dir = tempDir(t);
  const guard = startGuard(['run', '--', process.execPath, ECHO], {
    t,
    stateDir: dir,
    env: { NODE_OPTIONS: `--require ${RECORDER}`, RECORD_V8_FLAGS_DIR: dir },
  });
  await guard.initialize();
  const called = await guard.request('tools/call', { name: 'echo', arguments: { text: 'hi' } });
  assert.ok(called.result !== undefined, guard.stderr());
  const exit = await guard.close(10_000);
  assert.equal(exit.code, 0, guard.stderr());
  assert.deepEqual(flagsSetBy(dir, guard.pid), expected());
  assert.doesNotMatch(guard.stderr(), /unrecognized flag/);
});

test('up sets the tier-up flags in its own process once its servers have started', async (t) => {
  const dir = tempDir(t);
  const manifest = join(dir, 'mcp-guard.yaml');
  const servers = { echo: { command: process.execPath, args: [ECHO], sandbox: { mode: 'off' } } };
  writeFileSync(manifest, JSON.stringify({ version: 1, audit: { file: 'audit.jsonl' }, servers }));
  const child = spawn(process.execPath, [CLI, 'up', '-c', manifest], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: `--require ${RECORDER}`, RECORD_V8_FLAGS_DIR: dir },
  });
  killTreeAfter(t, child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  await waitOn(
    child.stderr,
    'data',
    () => stderr.includes('Press Ctrl-C to stop.'),
    20_000,
    () => `up never started; stderr:\n${stderr}`,
  );
  child.kill('SIGINT');
  assert.equal(await waitFor(exit, 30_000, () => `up did not exit; stderr:\n${stderr}`), 0, stderr);
  assert.deepEqual(flagsSetBy(dir, child.pid), expected());
  assert.doesNotMatch(stderr, /unrecognized flag/);
});
