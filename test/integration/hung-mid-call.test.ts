/**
 * A server that stops mid-call (SPEC section 5): silent, no output and no CPU, it is hung even
 * with the call in flight — killed and restarted after `health.failures` pings, the call answered
 * with -31054 (or retried once on the new child when it is read-only) long before
 * `limits.callTimeout`. A busy one — logging, computing, or answering pings — is left alone and
 * its call is bounded by callTimeout.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import {
  readAudit,
  readPids,
  startGuard,
  tempDir,
  waitUntilDead,
  writeManifest,
} from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';
import type { JsonObject } from '../helpers/raw-client.js';

const HEALTH = { interval: 100, timeout: 500, failures: 2 };

function guarded(t: TestContext, callTimeout: number) {
  const dir = tempDir(t);
  const pidFile = join(dir, 'server.pid');
  const manifest = writeManifest(dir, {
    command: process.execPath,
    args: [join(FIXTURES, 'supervised.mjs')],
    env: { PID_FILE: pidFile },
    restart: {
      policy: 'on-failure',
      maxRestarts: 3,
      window: 60_000,
      backoff: { initial: 50, max: 400 },
    },
    health: HEALTH,
    limits: { callTimeout },
  });
  const guard = startGuard(['run', 'server', '-c', manifest], { t, stateDir: dir });
  return { guard, pidFile, audit: () => readAudit(join(dir, 'audit.jsonl')) };
}

const errorOf = (reply: JsonObject) =>
  reply.error as { code: number; message: string; data: JsonObject } | undefined;
const textOf = (reply: JsonObject) =>
  (reply.result as { content: { text: string }[] } | undefined)?.content[0]?.text ?? '';

test('stopped mid-call: killed as hung, the call gets -31054 long before callTimeout', async (t) => {
  const { guard, pidFile, audit } = guarded(t, 600_000);
  try {
    await guard.initialize();
    const [first] = await readPids(pidFile, 1);
    const frozen = await guard.request('tools/call', { name: 'freeze', arguments: {} }, 20_000);
    assert.equal(errorOf(frozen)?.code, ErrorCode.ServerStopped, JSON.stringify(frozen));
    assert.match(errorOf(frozen)!.message, /stopped answering health checks/);
    await waitUntilDead(first!, 5000, 'the hung child');
    const records = audit();
    const fails = records.filter((r) => r.event === 'health.fail');
    assert.equal(fails.length, HEALTH.failures, JSON.stringify(fails));
    assert.match(String(fails[0]!.reason), /with a request in flight, no output and \d+ ms of CPU/);
    assert.equal(records.find((r) => r.event === 'child.exit')?.hung, true);
    // The audit record of the answer is written before the answer.
    const answered = records.find((r) => r.event === 'rpc.response' && r.id === frozen.id);
    assert.equal(answered?.isError, true);

    // The session goes on, on the next child.
    const after = await guard.request('tools/call', { name: 'echo', arguments: { text: 'on' } });
    assert.equal(textOf(after), 'on');
  } finally {
    await guard.close();
  }
});

test('a read-only call in flight when its child is found hung is sent once to the next child', async (t) => {
  const { guard, pidFile } = guarded(t, 600_000);
  try {
    await guard.initialize();
    await readPids(pidFile, 1);
    // What mcp-guard knows of the tools (readOnlyHint) it knows from a listing.
    await guard.request('tools/list');
    const reply = await guard.request('tools/call', { name: 'freeze_read', arguments: {} }, 20_000);
    assert.equal(textOf(reply), 'answered by start 2', JSON.stringify(reply));
  } finally {
    await guard.close();
  }
});

for (const [tool, what] of [
  ['ignore', 'answers pings but not the call'],
  ['chatter', 'stopped, while its child logs to stderr'],
  ['hang', 'spins on the CPU'],
] as const) {
  test(`busy, not hung: a server that ${what} is left alone; callTimeout answers the call`, async (t) => {
    const { guard, pidFile, audit } = guarded(t, 1500);
    try {
      await guard.initialize();
      await readPids(pidFile, 1);
      const reply = await guard.request('tools/call', { name: tool, arguments: {} }, 20_000);
      assert.equal(errorOf(reply)?.code, ErrorCode.CallTimeout, JSON.stringify(reply));
      assert.equal(errorOf(reply)?.data.rule, 'callTimeout');
      // Nothing failed while the call was in flight (a spinning server with no call in flight
      // is another matter: it answers no one, and is restarted after the call).
      const records = audit();
      const end = records.findIndex((r) => r.event === 'rpc.response' && r.id === reply.id);
      assert.ok(end > 0);
      const during = records
        .slice(0, end)
        .filter((r) => r.event === 'health.fail' || r.event === 'child.exit');
      assert.deepEqual(during, []);
    } finally {
      await guard.close();
    }
  });
}
