/**
 * Supervision on real processes (SPEC section 5): restarts with backoff, the restart limit and the
 * `failed` state, health pings telling hung from busy, callTimeout, and the client's session
 * carried across a restart — all through the built CLI and a raw client.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  callTool,
  isAlive,
  readAudit,
  readPids,
  startGuard,
  tempDir,
  waitUntilDead,
  writeManifest,
  type GuardProcess,
} from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';
import type { JsonObject } from '../helpers/raw-client.js';

/** Fast timings, so a test sees many restarts in a second or two. */
const FAST = {
  restart: {
    policy: 'on-failure',
    maxRestarts: 3,
    window: 60_000,
    backoff: { initial: 50, max: 400 },
  },
  health: { interval: 60_000, timeout: 60_000, failures: 2 },
};

interface Supervised {
  dir: string;
  guard: GuardProcess;
  pidFile: string;
  recvLog: string;
  audit: () => JsonObject[];
}

function supervised(
  t: TestContext,
  env: Record<string, string> = {},
  keys: JsonObject = {},
): Supervised {
  const dir = tempDir(t);
  const pidFile = join(dir, 'server.pid');
  const recvLog = join(dir, 'recv.log');
  const manifest = writeManifest(dir, {
    command: process.execPath,
    args: [join(FIXTURES, 'supervised.mjs')],
    env: { PID_FILE: pidFile, RECV_LOG: recvLog, ...env },
    ...FAST,
    ...keys,
  });
  const guard = startGuard(['run', 'server', '-c', manifest], { t, stateDir: dir });
  return { dir, guard, pidFile, recvLog, audit: () => readAudit(join(dir, 'audit.jsonl')) };
}

const events = (records: JsonObject[], event: string) => records.filter((r) => r.event === event);
const errorOf = (reply: JsonObject) =>
  reply.error as { code: number; message: string; data: JsonObject } | undefined;
const textOf = (reply: JsonObject) =>
  (reply.result as { content: { text: string }[] } | undefined)?.content[0]?.text ?? '';

/** Lines the server received, parsed (across every start, in order; whole lines only). */
function received(recvLog: string): JsonObject[] {
  const text = readFileSync(recvLog, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonObject);
}

/** Reads replies until every id in `ids` has one; returns them by id. */
async function repliesTo(
  guard: GuardProcess,
  ids: number[],
  timeoutMs = 10_000,
): Promise<Map<unknown, JsonObject>> {
  const byId = new Map<unknown, JsonObject>();
  while (ids.some((id) => !byId.has(id))) {
    const line = await guard.nextLine(timeoutMs);
    if ('id' in line) byId.set(line.id, line);
  }
  return byId;
}

test('a crash mid-session: the child is restarted, the session goes on, read-only calls in flight are retried and others get -31054', async (t) => {
  const { guard, pidFile, audit } = supervised(t);
  try {
    await guard.initialize();
    await guard.request('tools/list');
    const [first] = await readPids(pidFile, 1);
    guard.send(callTool(101, 'sleep', { ms: 400 }));
    guard.send(callTool(102, 'write', { ms: 60_000 }));
    guard.send(callTool(103, 'die'));
    const replies = await repliesTo(guard, [101, 102, 103]);
    assert.equal(textOf(replies.get(101)!), 'slept 400 ms', JSON.stringify(replies.get(101)));
    assert.equal(errorOf(replies.get(102)!)?.code, -31054);
    assert.equal(errorOf(replies.get(103)!)?.code, -31054);
    const echo = await guard.request('tools/call', { name: 'echo', arguments: { text: 'after' } });
    assert.equal(textOf(echo), 'after');
    const pids = await readPids(pidFile, 2);
    assert.equal(pids.length, 2);
    assert.equal(isAlive(first!), false);
    const records = audit();
    const exit = events(records, 'child.exit')[0];
    assert.equal(exit?.code, 1);
    assert.equal(typeof exit?.uptimeMs, 'number');
    const restart = events(records, 'child.restart')[0];
    assert.equal(restart?.attempt, 1);
    assert.ok(
      Number(restart?.delayMs) >= 50 && Number(restart?.delayMs) <= 100,
      JSON.stringify(restart),
    );
    assert.equal(events(records, 'child.spawn').length, 2);
    assert.deepEqual(
      events(records, 'server.state').map((r) => r.to),
      ['ready', 'restarting', 'starting', 'ready'],
    );
    assert.ok(
      events(records, 'rpc.request').some((r) => r.id === 101 && r.retry === true),
      'the retry of the read-only call is audited',
    );
    assert.deepEqual(guard.nonJson, []);
  } finally {
    await guard.close();
  }
});

test('the new child gets the session replayed: initialize, initialized, setLevel, live subscriptions', async (t) => {
  const { guard, pidFile, recvLog } = supervised(t);
  try {
    const init = await guard.initialize({ roots: {} });
    assert.equal(init.protocolVersion, '2025-06-18');
    await guard.request('logging/setLevel', { level: 'error' });
    await guard.request('resources/subscribe', { uri: 'test://kept' });
    await guard.request('resources/subscribe', { uri: 'test://dropped' });
    await guard.request('resources/unsubscribe', { uri: 'test://dropped' });
    const before = received(recvLog).length;
    guard.send(callTool(200, 'die'));
    await repliesTo(guard, [200]);
    await readPids(pidFile, 2);
    assert.equal(
      textOf(await guard.request('tools/call', { name: 'echo', arguments: { text: 'x' } })),
      'x',
    );
    const replayed = received(recvLog).slice(before + 1);
    const methods = replayed.map((m) => m.method);
    assert.deepEqual(methods.slice(0, 2), ['initialize', 'notifications/initialized']);
    assert.deepEqual(
      new Set(methods.slice(2, 4)),
      new Set(['logging/setLevel', 'resources/subscribe']),
    );
    // mcp-guard's own listing (it listed the tools once the session was up) is walked again on
    // the new child, with its own ids, before the client's call goes on.
    assert.equal(methods[4], 'tools/list');
    assert.match(String(replayed[4]!.id), /^mcp-guard-/);
    assert.equal(methods[5], 'tools/call');
    const replayedInit = replayed[0]!.params as JsonObject;
    assert.deepEqual((replayedInit.capabilities as JsonObject).roots, {});
    assert.match(String(replayed[0]!.id), /^mcp-guard-/, 'the replay uses mcp-guard ids');
    const setLevel = replayed.find((m) => m.method === 'logging/setLevel');
    assert.deepEqual(setLevel?.params, { level: 'error' });
    const subscribes = replayed.filter((m) => m.method === 'resources/subscribe');
    assert.deepEqual(
      subscribes.map((m) => m.params),
      [{ uri: 'test://kept' }],
    );
    assert.equal(
      guard.skipped.filter((m) => m.method === 'notifications/tools/list_changed').length,
      0,
      'the client never listed tools: no list_changed',
    );
  } finally {
    await guard.close();
  }
});

test('notifications/tools/list_changed reaches the client only when the list really changed', async (t) => {
  const dir = tempDir(t);
  const toolsFile = join(dir, 'tools.txt');
  writeFileSync(toolsFile, 'alpha\n');
  const { guard, pidFile } = supervised(t, { TOOLS_FILE: toolsFile });
  try {
    await guard.initialize();
    await guard.request('tools/list');
    // Same list after the first restart: no notification.
    guard.send(callTool(300, 'die'));
    await repliesTo(guard, [300]);
    await readPids(pidFile, 2);
    await guard.request('tools/call', { name: 'echo', arguments: { text: 'same' } });
    assert.equal(
      guard.skipped.filter((m) => m.method === 'notifications/tools/list_changed').length,
      0,
    );
    // A different list after the second: one notification, before the next answer.
    writeFileSync(toolsFile, 'alpha\nbeta\n');
    guard.send(callTool(301, 'die'));
    await repliesTo(guard, [301]);
    await readPids(pidFile, 3);
    await guard.request('tools/call', { name: 'echo', arguments: { text: 'changed' } });
    assert.equal(
      guard.skipped.filter((m) => m.method === 'notifications/tools/list_changed').length,
      1,
    );
    const list = await guard.request('tools/list');
    const names = (list.result as { tools: { name: string }[] }).tools.map((t) => t.name);
    assert.ok(names.includes('beta'), names.join());
  } finally {
    await guard.close();
  }
});

test('a server that crashes at every start: initialize waits, then gets -31052 failed after maxRestarts; starts keep to the policy', async (t) => {
  const { guard, pidFile, audit } = supervised(t, { CRASH_STARTS: '1000' });
  try {
    guard.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    });
    const reply = await guard.nextLine(10_000);
    assert.equal(reply.id, 1);
    assert.equal(errorOf(reply)?.code, -31052);
    assert.equal(errorOf(reply)?.data.state, 'failed');
    assert.match(String(errorOf(reply)?.data.reason), /4 starts within 60000 ms/);
    // maxRestarts 3: the first start and 3 restarts, then failed.
    assert.equal((await readPids(pidFile, 4)).length, 4);
    // While failed, requests are answered at once.
    guard.send(callTool(2, 'echo', { text: 'x' }));
    assert.equal(errorOf(await guard.nextLine())?.code, -31052);
    // One retry every backoff.max (400 ms) while failed.
    await readPids(pidFile, 6, 10_000);
    const spawns = events(audit(), 'child.spawn').map((r) => Date.parse(String(r.time)));
    const gaps = spawns.slice(1).map((t, i) => t - spawns[i]!);
    // Restarts 1-3 wait at least initial·2^(n-1): 50, 100, 200 ms; retries wait backoff.max.
    const floors = [50, 100, 200, 400, 400];
    gaps
      .slice(0, floors.length)
      .forEach((gap, i) =>
        assert.ok(
          gap >= floors[i]! - 5,
          `gap ${i + 1} was ${gap} ms, at least ${floors[i]} expected`,
        ),
      );
    assert.equal(events(audit(), 'child.failed').length, 1);
  } finally {
    await guard.close();
  }
});

test('a server that crashes at its first two starts: the waiting initialize is answered by the third', async (t) => {
  const { guard, pidFile } = supervised(t, { CRASH_STARTS: '2' });
  try {
    const init = await guard.initialize();
    assert.equal(init.protocolVersion, '2025-06-18');
    assert.equal((await readPids(pidFile, 3)).length, 3);
    assert.equal(
      textOf(await guard.request('tools/call', { name: 'echo', arguments: { text: 'ok' } })),
      'ok',
    );
  } finally {
    await guard.close();
  }
});

test('exit after N calls: every call is answered, by the next child when the first is gone', async (t) => {
  const { guard, pidFile, audit } = supervised(t, { EXIT_AFTER_CALLS: '2' });
  try {
    await guard.initialize();
    // Listed, so echo is known to be read-only: a call written to a child that exits before
    // reading it is sent again to the next child.
    await guard.request('tools/list');
    for (const text of ['a', 'b', 'c', 'd', 'e']) {
      const reply = await guard.request('tools/call', { name: 'echo', arguments: { text } });
      assert.equal(textOf(reply), text);
    }
    assert.ok((await readPids(pidFile, 3)).length >= 3);
    const exits = events(audit(), 'child.exit');
    assert.ok(exits.length >= 2 && exits.every((r) => r.code === 1), JSON.stringify(exits));
  } finally {
    await guard.close();
  }
});

test('hang on a call: callTimeout answers the call and cancels it, then failed pings restart the child', async (t) => {
  const { guard, pidFile, recvLog, audit } = supervised(
    t,
    {},
    { health: { interval: 100, timeout: 150, failures: 2 }, limits: { callTimeout: 600 } },
  );
  try {
    await guard.initialize();
    const [first] = await readPids(pidFile, 1);
    // A slow call past callTimeout: the client gets -31055, the server a cancellation.
    const slow = await guard.request('tools/call', { name: 'write', arguments: {} }, 10_000);
    assert.equal(errorOf(slow)?.code, -31055);
    await waitFor(
      () => received(recvLog).find((m) => m.method === 'notifications/cancelled'),
      5000,
      'notifications/cancelled reaching the server',
    );
    const cancel = received(recvLog).find((m) => m.method === 'notifications/cancelled');
    assert.equal((cancel!.params as JsonObject).requestId, slow.id);
    // A hung call: answered the same way; then the silent child fails its pings.
    const hang = await guard.request('tools/call', { name: 'hang', arguments: {} }, 10_000);
    assert.equal(errorOf(hang)?.code, -31055);
    assert.equal(errorOf(hang)?.data.rule, 'callTimeout');
    await readPids(pidFile, 2, 10_000);
    await waitUntilDead(first!, 5000, 'the hung child');
    assert.equal(
      textOf(await guard.request('tools/call', { name: 'echo', arguments: { text: 'back' } })),
      'back',
    );
    const records = audit();
    // The two failed pings in a row that ended the hung child. A ping of the healthy child that
    // came back late (a stall of the machine) is a failure of its own, reset by the next answer:
    // what is asserted is the run that led to the restart, not that no ping was ever late.
    const fails = events(records, 'health.fail').filter((r) => r.pid === first);
    assert.deepEqual(
      fails.slice(-2).map((r) => [r.failures, r.of]),
      [
        [1, 2],
        [2, 2],
      ],
      JSON.stringify(fails),
    );
    assert.equal(events(records, 'child.exit')[0]?.hung, true);
  } finally {
    await guard.close();
  }
});

test('a server that stops answering pings is restarted; a busy one in a long call is not', async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, 'server.pid');
  const manifest = writeManifest(dir, {
    command: process.execPath,
    args: [join(FIXTURES, 'hang-on-ping.mjs')],
    env: { PID_FILE: pidFile },
    ...FAST,
    health: { interval: 100, timeout: 150, failures: 2 },
  });
  const guard = startGuard(['run', 'server', '-c', manifest], { t, stateDir: dir });
  try {
    await guard.initialize();
    await guard.request('tools/list');
    // Busy: a 1.5 s call in flight while pings go unanswered — the child is left alone.
    const slow = await guard.request(
      'tools/call',
      { name: 'sleep', arguments: { ms: 1500 } },
      10_000,
    );
    assert.equal(textOf(slow), 'slept 1500 ms');
    // Idle: two unanswered pings, and it is restarted.
    await readPids(pidFile, 2, 10_000);
    await waitFor(
      () => events(readAudit(join(dir, 'audit.jsonl')), 'child.exit').length >= 1,
      5000,
      'child.exit of the hung child',
    );
    const after = readAudit(join(dir, 'audit.jsonl'));
    // The log's order, not the moment of a read, says it was left alone during the call: nothing
    // ended it before the call's answer (the restart after it can come as soon as 250 ms later).
    const answered = after.findIndex(
      (r) => r.event === 'rpc.response' && r.method === 'tools/call' && r.id === slow.id,
    );
    assert.ok(answered > 0, 'the call is answered in the log');
    assert.deepEqual(
      events(after.slice(0, answered), 'child.exit'),
      [],
      JSON.stringify(events(after, 'health.fail')),
    );
    assert.ok(events(after, 'child.spawn').length >= 2);
    assert.ok(events(after, 'health.fail').length >= 2);
    assert.equal(events(after, 'child.exit')[0]?.hung, true);
  } finally {
    await guard.close();
  }
});

test('a new child with another protocol version cannot resume the session: failed, said loudly', async (t) => {
  const dir = tempDir(t);
  const protocolFile = join(dir, 'protocol.txt');
  const { guard, pidFile, audit } = supervised(t, { PROTOCOL_FILE: protocolFile });
  try {
    await guard.initialize();
    writeFileSync(protocolFile, '2024-11-05\n');
    guard.send(callTool(400, 'die'));
    await repliesTo(guard, [400]);
    await readPids(pidFile, 2);
    await guard.waitForStderr(
      /cannot resume the session: the new child speaks protocol 2024-11-05/,
    );
    const reply = await waitFor(
      async () => {
        const r = await guard.request('tools/call', { name: 'echo', arguments: { text: 'x' } });
        return errorOf(r)?.data.state === 'failed' ? r : undefined;
      },
      5000,
      'requests answered -31052 failed',
    );
    assert.equal(errorOf(reply)?.code, -31052);
    assert.match(String(errorOf(reply)?.data.reason), /protocol 2024-11-05/);
    assert.ok(events(audit(), 'child.failed').length >= 1);
  } finally {
    await guard.close();
  }
});

test("the client's late answer to a dead child's request is dropped, not given to the new child", async (t) => {
  const { guard, pidFile, recvLog, audit } = supervised(t);
  try {
    await guard.initialize({ sampling: {} });
    guard.send(
      callTool(500, 'ask-client', {
        method: 'sampling/createMessage',
        params: {},
        timeoutMs: 60_000,
      }),
    );
    const asked = await guard.nextLine();
    assert.equal(asked.method, 'sampling/createMessage');
    guard.send(callTool(501, 'die'));
    await repliesTo(guard, [500, 501]);
    await readPids(pidFile, 2);
    guard.send({
      jsonrpc: '2.0',
      id: asked.id,
      result: { role: 'assistant', content: { type: 'text', text: 'late' } },
    });
    assert.equal(
      textOf(await guard.request('tools/call', { name: 'echo', arguments: { text: 'y' } })),
      'y',
    );
    const late = received(recvLog).filter((m) => m.id === asked.id && 'result' in m);
    assert.deepEqual(late, []);
    assert.ok(
      events(audit(), 'rpc.invalid').some((r) => /restarted/.test(String(r.reason))),
      'the dropped answer is audited',
    );
  } finally {
    await guard.close();
  }
});

test('restart policy always restarts a clean exit; never leaves a crash stopped', async (t) => {
  const always = supervised(
    t,
    { EXIT_AFTER_CALLS: '1', EXIT_CODE: '0' },
    { restart: { ...FAST.restart, policy: 'always' } },
  );
  try {
    await always.guard.initialize();
    await always.guard.request('tools/call', { name: 'echo', arguments: { text: '1' } });
    assert.equal((await readPids(always.pidFile, 2)).length, 2);
  } finally {
    await always.guard.close();
  }
  const never = supervised(t, {}, { restart: { ...FAST.restart, policy: 'never' } });
  await never.guard.initialize();
  never.guard.send(callTool(600, 'die'));
  await repliesTo(never.guard, [600]);
  assert.equal((await never.guard.exited).code, 1);
  assert.deepEqual(events(never.audit(), 'child.restart'), []);
});

test('a confined server is restarted confined: every launch goes through the sandbox and is audited', async (t) => {
  const { guard, pidFile, audit } = supervised(
    t,
    {},
    { sandbox: { mode: 'required', network: 'deny' } },
  );
  try {
    await guard.initialize();
    guard.send(callTool(700, 'die'));
    await repliesTo(guard, [700]);
    await readPids(pidFile, 2);
    const echo = await guard.request('tools/call', {
      name: 'echo',
      arguments: { text: 'confined' },
    });
    assert.equal(textOf(echo), 'confined');
    const applied = events(audit(), 'sandbox.applied');
    assert.deepEqual(
      applied.map((r) => [r.backend, r.requested, r.network]),
      [
        ['bwrap', 'required', 'deny'],
        ['bwrap', 'required', 'deny'],
      ],
    );
    assert.equal(events(audit(), 'child.spawn').length, 2);
  } finally {
    await guard.close();
  }
});
