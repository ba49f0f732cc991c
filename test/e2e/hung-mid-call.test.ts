/**
 * A server that stops answering in the middle of a call (SPEC section 5), end to end: the SDK's
 * client and Cline's core client each get their call answered with -31054 after
 * `health.failures` silent pings — not after `limits.callTimeout` (10 minutes here) — and go on
 * calling tools on the restarted server over the same connection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { connectCline } from '../helpers/cline-client.js';
import { guardFixture, resultText, sdkThrough, stepper, waitAllGone } from '../helpers/guarded.js';
import { killAll, readPids, testDir } from '../helpers/processes.js';

const ENTRY = {
  health: { interval: 200, timeout: 500, failures: 2 },
  limits: { callTimeout: 600_000 },
  restart: { policy: 'on-failure', backoff: { initial: 50, max: 1000 } },
};

test('the SDK client: a call the server stopped in gets -31054 from health checks, and the session goes on', async (t) => {
  const dir = await testDir(t);
  const guarded = guardFixture(dir, 'supervised', [], { entry: ENTRY });
  const { sdk, serverPid, step, close } = await sdkThrough(t, guarded);
  const client = sdk.client;
  const outcome = await step(
    'the frozen call',
    client.callTool({ name: 'freeze', arguments: {} }, undefined, { timeout: 600_000 }).then(
      () => 'resolved',
      (error: unknown) => error,
    ),
  );
  assert.ok(outcome instanceof McpError, String(outcome));
  assert.equal(outcome.code, ErrorCode.ServerStopped);
  assert.match(outcome.message, /stopped answering health checks/);
  const echo = await step(
    'echo on the new child',
    client.callTool({ name: 'echo', arguments: { text: 'still here' } }),
  );
  assert.equal(resultText(echo), 'still here');
  const pids = await readPids(guarded.pidFile, 2);
  assert.equal(pids[0], serverPid);
  t.after(() => killAll(pids));
  await close();
  await waitAllGone(pids, 5000, sdk.stderr);
});

void test(
  "Cline's client: a call the server stopped in fails with -31054 after two silent pings, the next call works",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'supervised', [], { name: 'frozen', entry: ENTRY });
    const cline = await connectCline({
      dir: dir.path,
      name: guarded.name,
      ...guarded.command,
      env: guarded.env,
    });
    t.after(() => killAll(cline.spawned.map((child) => child.pid)));
    const step = stepper(cline.stderr, 15_000);
    const first = await guarded.serverPid(cline.stderr);
    t.after(() => killAll([first]));
    const outcome = await step(
      'the frozen call',
      cline.callTool('freeze').then(
        (result) => result,
        (error: unknown) => error,
      ),
    );
    // Cline's client turns the error answer into a rejection with its message (not its code).
    assert.ok(outcome instanceof Error, JSON.stringify(outcome));
    assert.match(
      outcome.message,
      /stopped while this request was in flight: it stopped answering health checks/,
    );
    const answer = guarded.audit().find((r) => r.event === 'rpc.response' && r.tool === 'freeze');
    assert.equal(answer?.code, ErrorCode.ServerStopped, JSON.stringify(answer));
    const echo = await step('echo on the new child', cline.callTool('echo', { text: 'back' }));
    assert.equal(resultText(echo), 'back');
    const pids = await readPids(guarded.pidFile, 2);
    t.after(() => killAll(pids));
    await cline.close();
    await waitAllGone([...cline.spawned.map((child) => child.pid), ...pids], 5000, cline.stderr);
  },
);
