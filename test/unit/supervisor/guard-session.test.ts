import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { ServerConfig } from '../../../src/config/types.js';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { GuardSession } from '../../../src/supervisor/guard-session.js';
import { SAMPLE_MS } from '../../../src/supervisor/resource-watch.js';
import { collectAudit, FakeChild, FakeClock, serverConfig, settle } from './fakes.js';
import { collectLines } from '../../helpers/lines.js';

/** Lines written to a stream, parsed. */
const lines = (stream: PassThrough) => collectLines(stream);

function setup(
  over: (s: ServerConfig) => void = () => undefined,
  first: 'child' | 'error' = 'child',
) {
  const clock = new FakeClock();
  const audit = collectAudit();
  const client = { input: new PassThrough(), output: new PassThrough() };
  const toClient = lines(client.output);
  const children: FakeChild[] = [];
  const spawn = (): FakeChild => {
    const child = new FakeChild(100 + children.length);
    children.push(child);
    return child;
  };
  const session = new GuardSession({
    server: serverConfig(over),
    client,
    audit,
    pipeline: createPipeline([]),
    process: first === 'child' ? spawn() : new Error('spawn node ENOENT'),
    launch: () => Promise.resolve(spawn()),
    stderr: null,
    hostEnv: {},
    random: () => 0,
    clock,
  });
  return { clock, audit, client, toClient, children, session };
}

test('a crash is audited and restarted after the backoff, on a new child', async () => {
  const t = setup();
  assert.equal(t.session.snapshot().pid, 100);
  assert.equal(t.session.snapshot().since, t.clock.origin);
  t.children[0]!.exit(1);
  await settle();
  assert.equal(t.session.state, 'restarting');
  assert.deepEqual(t.session.snapshot().reason, 'exited with code 1');
  const restart = t.audit.records.find((r) => r.event === 'child.restart');
  assert.deepEqual(restart?.fields, { attempt: 1, delayMs: 250, reason: 'exited with code 1' });
  assert.deepEqual(
    t.clock.pending,
    [{ in: 250, refed: true }],
    'a pending restart keeps mcp-guard up',
  );
  await t.clock.advance(249);
  assert.equal(t.children.length, 1);
  await t.clock.advance(1);
  assert.equal(t.children.length, 2);
  assert.equal(t.session.state, 'starting');
  const spawns = t.audit.records.filter((r) => r.event === 'child.spawn');
  assert.deepEqual(
    spawns.map((r) => [r.fields.pid, r.fields.restarts]),
    [
      [100, undefined],
      [101, 1],
    ],
  );
  assert.deepEqual(
    t.audit.events().filter((e) => e === 'child.exit' || e === 'server.state'),
    ['child.exit', 'server.state', 'server.state'],
  );
  assert.equal(t.session.snapshot().restarts, 1);
  await t.session.stop('eof');
});

test('too many starts in the window: failed, requests get -31052, one retry every backoff.max', async () => {
  const t = setup((s) => (s.restart = { ...s.restart, maxRestarts: 0 }));
  t.children[0]!.exit(1);
  await settle();
  assert.equal(t.session.state, 'failed');
  assert.equal(t.audit.records.find((r) => r.event === 'child.failed')?.level, 'error');
  assert.deepEqual(
    t.clock.pending,
    [{ in: 15_000, refed: false }],
    'retries alone keep nothing up',
  );
  t.client.input.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
  await settle();
  const reply = t.toClient[0] as { id: number; error: { code: number; data: { state: string } } };
  assert.deepEqual([reply.id, reply.error.code, reply.error.data.state], [1, -31052, 'failed']);
  await t.clock.advance(15_000);
  assert.equal(t.children.length, 2, 'a retry');
  assert.equal(t.session.state, 'failed', 'until its handshake completes');
  await t.session.stop('eof');
});

test('a first spawn that failed: failed at once, retried after backoff.max', async () => {
  const t = setup(() => undefined, 'error');
  assert.equal(t.session.state, 'failed');
  assert.deepEqual(t.audit.records[0], {
    event: 'child.failed',
    fields: { reason: 'spawn node ENOENT' },
    level: 'error',
  });
  await t.clock.advance(15_000);
  assert.equal(t.children.length, 1);
  const end = await t.session.stop('eof');
  assert.equal(end.exitCode, 1, 'a server that never started');
});

test('restart policy never: the session ends with the server', async () => {
  const t = setup((s) => (s.restart = { ...s.restart, policy: 'never' }));
  t.children[0]!.exit(3);
  const end = await t.session.ended;
  assert.deepEqual(end, {
    reason: 'server-exit',
    exit: { code: 3, signal: null, forced: false, uptimeMs: 0 },
    exitCode: 1,
  });
  assert.equal(t.session.state, 'stopped');
  assert.deepEqual(t.clock.pending, []);
});

test('client EOF stops the child with eof and ends the session cleanly', async () => {
  const t = setup();
  t.client.input.end();
  const end = await t.session.ended;
  assert.deepEqual(t.children[0]!.stops, ['eof']);
  assert.equal(end.reason, 'client-eof');
  assert.equal(end.exitCode, 0);
  assert.equal(t.session.state, 'stopped');
  const exit = t.audit.records.find((r) => r.event === 'child.exit');
  assert.deepEqual(exit?.fields, { pid: 100, code: 0, signal: null, forced: false, uptimeMs: 0 });
});

test('ready after the handshake; pings every interval, an answer shows in the snapshot', async () => {
  const t = setup((s) => (s.health = { interval: 1000, timeout: 200, failures: 2 }));
  const child = t.children[0]!;
  const toChild = lines(child.child.stdin);
  t.client.input.write(
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n',
  );
  await settle();
  child.child.stdout.write('{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18"}}\n');
  await settle();
  assert.equal(t.session.state, 'ready');
  assert.deepEqual(
    t.clock.pending,
    [
      { in: SAMPLE_MS, refed: false },
      { in: 1000, refed: false },
    ],
    'the resource sample (from the spawn) and the ping: neither keeps mcp-guard up',
  );
  await t.clock.advance(1000);
  const ping = toChild[1] as { id: string; method: string };
  assert.equal(ping.method, 'ping');
  assert.match(ping.id, /^mcp-guard-[0-9a-f]{8}-1$/);
  await t.clock.advance(7);
  child.child.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: ping.id, result: {} })}\n`);
  await settle();
  assert.deepEqual(t.session.snapshot().lastPing, { ms: 7, at: t.clock.origin + 1007 });
  assert.equal(t.toClient.length, 1, 'the ping never reaches the client');
  await t.session.stop('eof');
  assert.deepEqual(t.clock.pending, [], 'no ping nor sample after the stop');
});

test('limits.maxMemory: a tree that stays above it is stopped, audited why, and restarted', async () => {
  const MiB = 1024 ** 2;
  const t = setup((s) => (s.limits.maxMemory = 100 * MiB));
  const child = t.children[0]!;
  assert.equal(t.session.snapshot().usage, null, 'nothing is read at the start');
  child.tree = { cpuMs: 1000, rssBytes: 40 * MiB, processes: 2 };
  await t.clock.advance(SAMPLE_MS);
  assert.deepEqual(t.session.snapshot().usage, {
    cpuPercent: 50,
    cpuSeconds: 1,
    rssBytes: 40 * MiB,
    processes: 2,
    at: t.clock.wall(),
  });
  child.tree = { cpuMs: 1000, rssBytes: 150 * MiB, processes: 2 };
  await t.clock.advance(SAMPLE_MS);
  assert.deepEqual(child.stops, [], 'one sample above is not a stay');
  await t.clock.advance(SAMPLE_MS);
  assert.equal(child.stops[0], 'signal');
  await settle();
  const exit = t.audit.records.find((r) => r.event === 'child.exit');
  assert.deepEqual(
    [exit?.fields.reason, exit?.fields.rssBytes, exit?.fields.maxMemory],
    ['maxMemory', 150 * MiB, 100 * MiB],
  );
  const restart = t.audit.records.find((r) => r.event === 'child.restart');
  assert.equal(
    restart?.fields.reason,
    'its process tree used 150 MiB, above limits.maxMemory (100 MiB)',
  );
  assert.equal(t.session.state, 'restarting');
  assert.equal(t.session.snapshot().usage, null, 'no figures without a child');
  await t.clock.advance(250);
  assert.equal(t.children.length, 2);
  await t.session.stop('eof');
});

test('without limits.maxMemory a large tree is only shown', async () => {
  const t = setup();
  t.children[0]!.tree = { cpuMs: 0, rssBytes: 8 * 1024 ** 3, processes: 1 };
  await t.clock.advance(SAMPLE_MS * 5);
  assert.deepEqual(t.children[0]!.stops, []);
  assert.equal(t.session.snapshot().usage?.rssBytes, 8 * 1024 ** 3);
  await t.session.stop('eof');
});

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const statelessRequest = (id: number, method: string) =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method, params: { _meta: META } })}\n`;

test('stateless era: nothing reaches the server before the client; ready after its first answer; health is server/discover', async () => {
  const t = setup((s) => (s.health = { interval: 1000, timeout: 200, failures: 2 }));
  const child = t.children[0]!;
  const toChild = lines(child.child.stdin);
  await t.clock.advance(5000);
  assert.equal(toChild.length, 0, 'no health check before the client has spoken');
  assert.equal(t.session.state, 'starting');
  t.client.input.write(statelessRequest(1, 'tools/list'));
  await settle();
  assert.equal(t.session.state, 'starting', 'not before the server answers');
  child.child.stdout.write(
    '{"jsonrpc":"2.0","id":1,"result":{"tools":[],"resultType":"complete"}}\n',
  );
  await settle();
  assert.equal(t.session.state, 'ready');
  await t.clock.advance(1000);
  const probe = toChild.find((m) => m.method === 'server/discover') as {
    id: string;
    params: unknown;
  };
  assert.match(probe.id, /^mcp-guard-[0-9a-f]{8}-\d+$/);
  assert.deepEqual(probe.params, { _meta: META });
  assert.equal(
    toChild.some((m) => m.method === 'ping'),
    false,
    'no ping in the stateless era',
  );
  await t.clock.advance(3);
  child.child.stdout.write(
    `${JSON.stringify({ jsonrpc: '2.0', id: probe.id, result: { supportedVersions: ['2026-07-28'], capabilities: {} } })}\n`,
  );
  await settle();
  assert.deepEqual(t.session.snapshot().lastPing, { ms: 3, at: t.clock.origin + 6003 });
  assert.equal(t.toClient.length, 1, 'the probe never reaches the client');
  await t.session.stop('eof');
});

test("stateless era: a dual-era client's refused probe then initialize: the session era, health by ping", async () => {
  const t = setup((s) => (s.health = { interval: 1000, timeout: 200, failures: 2 }));
  const child = t.children[0]!;
  const toChild = lines(child.child.stdin);
  t.client.input.write(statelessRequest(1, 'server/discover'));
  await settle();
  child.child.stdout.write('{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}\n');
  await settle();
  assert.equal(t.session.state, 'starting', 'a refused probe is no sign of readiness');
  t.client.input.write(
    '{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n',
  );
  await settle();
  child.child.stdout.write('{"jsonrpc":"2.0","id":2,"result":{"protocolVersion":"2025-06-18"}}\n');
  await settle();
  assert.equal(t.session.state, 'ready');
  await t.clock.advance(1000);
  assert.equal(toChild.at(-1)?.method, 'ping');
  await t.session.stop('eof');
});

test('stateless era: after a restart, nothing replayed: server/discover on the new child, then the held requests', async () => {
  const t = setup();
  const first = t.children[0]!;
  lines(first.child.stdin);
  t.client.input.write(statelessRequest(1, 'tools/list'));
  await settle();
  first.child.stdout.write('{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}\n');
  await settle();
  assert.equal(t.session.state, 'ready');
  first.exit(1);
  await settle();
  await t.clock.advance(250);
  const second = t.children[1]!;
  const toSecond = lines(second.child.stdin);
  t.client.input.write(statelessRequest(2, 'tools/list'));
  await settle();
  assert.deepEqual(
    toSecond.map((m) => m.method),
    ['server/discover'],
    'no initialize, initialized, setLevel or subscribe; the client waits',
  );
  const discover = toSecond[0] as { id: string };
  second.child.stdout.write(
    `${JSON.stringify({ jsonrpc: '2.0', id: discover.id, result: { supportedVersions: ['2026-07-28'], capabilities: { tools: {} } } })}\n`,
  );
  await settle();
  assert.equal(t.session.state, 'ready');
  assert.deepEqual(
    toSecond.slice(1).map((m) => [m.id, m.method]),
    [[2, 'tools/list']],
    "then the client's request",
  );
  assert.equal(
    t.audit.records.some((r) => r.event === 'session.replay' && r.fields.failed === undefined),
    true,
  );
  await t.session.stop('eof');
});

test('stateless era: a new child that does not speak the session version cannot take it', async () => {
  const t = setup();
  const first = t.children[0]!;
  t.client.input.write(statelessRequest(1, 'tools/list'));
  await settle();
  first.child.stdout.write('{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}\n');
  await settle();
  first.exit(1);
  await settle();
  await t.clock.advance(250);
  const second = t.children[1]!;
  const toSecond = lines(second.child.stdin);
  await settle();
  const discover = toSecond[0] as { id: string };
  second.child.stdout.write(
    `${JSON.stringify({ jsonrpc: '2.0', id: discover.id, result: { supportedVersions: ['2027-01-01'], capabilities: {} } })}\n`,
  );
  await settle();
  const replay = t.audit.records.find((r) => r.event === 'session.replay');
  assert.match(
    String(replay?.fields.failed),
    /speaks protocol 2027-01-01, the session speaks 2026-07-28/,
  );
  assert.equal(second.stops[0], 'signal');
  await t.session.stop('eof');
});
