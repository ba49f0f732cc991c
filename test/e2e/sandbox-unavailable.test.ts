/**
 * Where the OS sandbox cannot run (here: a `bwrap` first on PATH that fails the way bubblewrap
 * does under Ubuntu's AppArmor restriction, with `sandbox.backend: bwrap`, since `auto` would take
 * Landlock where the kernel has it), `sandbox.mode: required` refuses to start the server
 * and the client's initialize is answered -31052 (state "failed") saying why and how to fix it;
 * `auto` runs the server unconfined with one warning. Both are audited as `sandbox.applied`.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixtureCommand } from '../helpers/fixtures.js';
import { guardCommand, resultText, sdkThrough } from '../helpers/guarded.js';
import { testDir, type TempDir } from '../helpers/processes.js';
import { connectSdk } from '../helpers/sdk-client.js';

const SAID = 'bwrap: setting up uid map: Permission denied';

/** A folder holding a `bwrap` that knows its version but cannot create a sandbox. */
function brokenBwrap(dir: TempDir): string {
  const bin = dir.join('bin');
  mkdirSync(bin);
  writeFileSync(
    dir.join('bin', 'bwrap'),
    `#!/bin/sh\nif [ "$1" = --version ]; then echo 'bubblewrap 0.9.0'; exit 0; fi\necho '${SAID}' >&2\nexit 1\n`,
  );
  chmodSync(dir.join('bin', 'bwrap'), 0o755);
  return `${bin}:${process.env.PATH}`;
}

void test('required: initialize gets -31052 (failed) saying why and how to fix it; audited', async (t) => {
  const dir = await testDir(t);
  const PATH = brokenBwrap(dir);
  const guarded = guardCommand(dir, fixtureCommand('echo'), {
    entry: { sandbox: { mode: 'required', network: 'deny', backend: 'bwrap' } },
  });
  const connecting = connectSdk({ ...guarded.command, env: { ...guarded.env, PATH } });
  await assert.rejects(connecting, (err: Error) => {
    const cause = err.cause as { code?: number; data?: { state?: string; reason?: string } };
    assert.equal(cause.code, -31052, err.message);
    assert.equal(cause.data?.state, 'failed');
    assert.match(cause.data?.reason ?? '', /sandbox\.mode is 'required' for 'server'/);
    assert.match(cause.data?.reason ?? '', new RegExp(`bwrap said: ${SAID}`));
    assert.match(cause.data?.reason ?? '', /\(fix: /);
    return true;
  });
  const records = guarded.audit();
  const applied = records.find((r) => r.event === 'sandbox.applied');
  assert.equal(applied?.backend, 'none');
  assert.equal(applied?.requested, 'required');
  assert.match(String(applied?.reason), new RegExp(SAID));
  const order = records.map((r) => r.event);
  assert.ok(order.indexOf('sandbox.applied') < order.indexOf('child.failed'), order.join(' '));
  assert.ok(!order.includes('child.spawn'), 'nothing was started');
});

void test('auto: the server runs unconfined, with one warning naming the cause', async (t) => {
  const dir = await testDir(t);
  const PATH = brokenBwrap(dir);
  const guarded = guardCommand(dir, fixtureCommand('echo'), {
    entry: { sandbox: { mode: 'auto', network: 'deny', backend: 'bwrap' } },
  });
  guarded.env.PATH = PATH;
  const { sdk, step, close } = await sdkThrough(t, guarded);
  const echoed = await step(
    'echo',
    sdk.client.callTool({ name: 'echo', arguments: { text: 'hi' } }),
  );
  assert.equal(resultText(echoed), 'hi');
  await close();
  const warnings = sdk
    .stderr()
    .split('\n')
    .filter((line) => line.includes('without the OS sandbox'));
  assert.equal(warnings.length, 1, sdk.stderr());
  assert.match(warnings[0]!, new RegExp(`bwrap said: ${SAID}.*network: deny is not enforced`));
  assert.doesNotMatch(sdk.stderr(), /\berror\b/i);
  const applied = guarded.audit().find((r) => r.event === 'sandbox.applied');
  assert.deepEqual(
    [applied?.backend, applied?.requested, applied?.network],
    ['none', 'auto', 'deny'],
  );
});

void test('auto backend: where bubblewrap cannot run, Landlock confines the server, with one warning', async (t) => {
  const dir = await testDir(t);
  const PATH = brokenBwrap(dir);
  const guarded = guardCommand(dir, fixtureCommand('echo'), {
    entry: { sandbox: { mode: 'required', network: 'deny' } },
  });
  guarded.env.PATH = PATH;
  const { sdk, step, close } = await sdkThrough(t, guarded);
  const echoed = await step(
    'echo',
    sdk.client.callTool({ name: 'echo', arguments: { text: 'hi' } }),
  );
  assert.equal(resultText(echoed), 'hi');
  await close();
  const warnings = sdk
    .stderr()
    .split('\n')
    .filter((line) => line.includes('under Landlock'));
  assert.equal(warnings.length, 1, sdk.stderr());
  assert.match(warnings[0]!, new RegExp(`bubblewrap cannot run here: .*bwrap said: ${SAID}`));
  const applied = guarded.audit().find((r) => r.event === 'sandbox.applied');
  assert.deepEqual(
    [applied?.backend, applied?.requested, applied?.network],
    ['landlock', 'required', 'deny'],
  );
  assert.match(String(applied?.reason), /bubblewrap cannot run here/);
  assert.ok(Array.isArray(applied?.limits), JSON.stringify(applied));
});
