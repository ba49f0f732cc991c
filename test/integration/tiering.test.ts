/**
 * V8's compilers in mcp-guard's own processes (src/cli/tiering.ts): `run` holds them from its
 * first statement until the client has sent RELEASE_AFTER_CHUNKS chunks, then gives them back;
 * `up` asks for sooner optimisation once its servers have started. A preload records every flag
 * string the process hands to node:v8's setFlagsFromString, in order.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { engineFlags, RELEASE_AFTER_CHUNKS } from '../../src/cli/tiering.js';
import { startGuard, tempDir } from '../helpers/guard-process.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { killTreeAfter } from '../helpers/processes.js';
import { waitFor, waitOn } from '../helpers/wait.js';

const RECORDER = join(FIXTURES, 'record-v8-flags.cjs');
const ECHO = join(FIXTURES, 'echo.mjs');
const FLAGS = engineFlags(process.versions.v8, []);
const join2 = (...flags: string[]) => flags.filter((flag) => flag !== '').join(' ');

/** The flag strings the process with this pid set, in order (none: no file). */
function flagsSetBy(dir: string, pid: number | undefined): string[] {
  const file = join(dir, `${pid}.txt`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** A `run` session that sends `calls` echo calls, one at a time, after its handshake. */
async function runSession(t: TestContext, calls: number): Promise<string[]> {
  const dir = tempDir(t);
  const guard = startGuard(['run', '--', process.execPath, ECHO], {
    t,
    stateDir: dir,
    env: { NODE_OPTIONS: `--require ${RECORDER}`, RECORD_V8_FLAGS_DIR: dir },
  });
  await guard.initialize();
  for (let i = 0; i < calls; i++) {
    const called = await guard.request('tools/call', { name: 'echo', arguments: { text: `${i}` } });
    assert.ok(called.result !== undefined, guard.stderr());
  }
  const exit = await guard.close(10_000);
  assert.equal(exit.code, 0, guard.stderr());
  assert.doesNotMatch(guard.stderr(), /unrecognized flag/);
  return flagsSetBy(dir, guard.pid);
}

test('run holds the compilers from its start while the session is only starting', async (t) => {
  const flags = await runSession(t, 1);
  assert.deepEqual(flags, FLAGS === null ? [] : [join2(FLAGS.hold, FLAGS.sooner)]);
});

test(`run gives the compilers back once the client has sent ${RELEASE_AFTER_CHUNKS} chunks`, async (t) => {
  // Sequential calls: each is one chunk of input (the handshake's come before the count starts).
  const flags = await runSession(t, RELEASE_AFTER_CHUNKS + 2);
  assert.deepEqual(flags, FLAGS === null ? [] : [join2(FLAGS.hold, FLAGS.sooner), FLAGS.release]);
});

test('up asks for sooner optimisation in its own process once its servers have started', async (t) => {
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
  const sooner = FLAGS?.sooner ?? '';
  assert.deepEqual(flagsSetBy(dir, child.pid), sooner === '' ? [] : [sooner]);
  assert.doesNotMatch(stderr, /unrecognized flag/);
});
