import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { PendingTable } from '../../../src/relay/pending.js';
import { Relay } from '../../../src/relay/relay.js';
import { isStream } from '../../../src/relay/streams.js';
import { waitOn } from '../../helpers/wait.js';
import { collectLines } from '../../helpers/lines.js';

/** Collects the JSON lines written to a stream. */
function lines(stream: PassThrough) {
  const items = collectLines(stream);
  return {
    items,
    async next(count = 1): Promise<Record<string, unknown>[]> {
      await waitOn(
        stream,
        'data',
        () => items.length >= count,
        2000,
        () => `waiting for ${count} lines; have ${JSON.stringify(items)}`,
      );
      return items.splice(0, count);
    },
  };
}

function setup(callTimeout = 50) {
  const clientIn = new PassThrough();
  const clientOut = new PassThrough();
  const audit: AuditSink = { bodies: false, record: () => undefined };
  const relay = new Relay({
    server: 'test',
    client: { input: clientIn, output: clientOut },
    maxMessageBytes: 4096,
    audit,
    pipeline: createPipeline([]),
    callTimeout,
    state: () => 'restarting',
  });
  const attach = () => {
    const io = { input: new PassThrough(), output: new PassThrough() };
    relay.attachServer(io);
    return {
      toServer: lines(io.output),
      server: (m: unknown) => io.input.write(`${JSON.stringify(m)}\n`),
    };
  };
  return {
    relay,
    attach,
    toClient: lines(clientOut),
    client: (m: unknown) =>
      clientIn.write(`${JSON.stringify({ jsonrpc: '2.0', ...(m as object) })}\n`),
  };
}

const LISTEN = {
  id: 'listen:0',
  method: 'subscriptions/listen',
  params: {
    _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
    notifications: { resourceSubscriptions: ['memo://a'] },
  },
};

void test('isStream: subscriptions/listen is a stream; calls are not', () => {
  assert.equal(isStream('subscriptions/listen'), true);
  for (const method of ['tools/call', 'resources/subscribe', 'tasks/result', 'ping']) {
    assert.equal(isStream(method), false, method);
  }
});

void test('PendingTable.calls leaves open streams out, through add, take and drain', () => {
  const table = new PendingTable();
  table.add({ id: 1, method: 'tools/call', params: {}, startedAt: 0 });
  table.add({ id: 'l', method: 'subscriptions/listen', params: {}, startedAt: 0 });
  assert.deepEqual([table.size, table.calls], [2, 1]);
  table.take('l');
  assert.deepEqual([table.size, table.calls], [1, 1]);
  table.add({ id: 'l', method: 'subscriptions/listen', params: {}, startedAt: 0 });
  table.drain();
  assert.deepEqual([table.size, table.calls], [0, 0]);
  table.add({ id: 'l', method: 'subscriptions/listen', params: {}, startedAt: 0 });
  assert.deepEqual([table.size, table.calls], [1, 0]);
});

void test('callTimeout: a listen stream stays open past it while a call beside it is answered -31055', async () => {
  const t = setup(50);
  const child = t.attach();
  t.client(LISTEN);
  t.client({ id: 2, method: 'tools/call', params: { name: 'slow' } });
  await child.toServer.next(2);
  t.relay.expire(performance.now() + 60_000);
  const [timedOut] = await t.toClient.next();
  assert.equal(timedOut!.id, 2);
  assert.equal((timedOut!.error as { code: number }).code, -31055);
  const [cancel] = await child.toServer.next();
  assert.deepEqual(cancel!.params, {
    requestId: 2,
    reason: 'no answer within limits.callTimeout (50 ms)',
  });
  assert.equal(t.relay.client.pending.has('listen:0'), true, 'the stream is still open');
  assert.equal(t.relay.inFlight, 0, 'an open stream is no call in flight');
  // What the stream delivers still reaches the client, and so does its end.
  child.server({
    jsonrpc: '2.0',
    method: 'notifications/resources/updated',
    params: { uri: 'memo://a' },
  });
  child.server({ jsonrpc: '2.0', id: 'listen:0', result: { resultType: 'complete' } });
  const delivered = await t.toClient.next(2);
  assert.equal(delivered[0]!.method, 'notifications/resources/updated');
  assert.equal(delivered[1]!.id, 'listen:0');
});

void test('a child that dies under a listen stream: the same request is sent to the next child, every time', async () => {
  const t = setup(50);
  const first = t.attach();
  t.client(LISTEN);
  await first.toServer.next();
  for (let restart = 1; restart <= 2; restart += 1) {
    t.relay.detachServer('exited with code 1', { retry: true });
    assert.deepEqual(
      t.relay.client.retrying.map((entry) => entry.id),
      ['listen:0'],
    );
    // Waiting for the next child is not bounded by callTimeout either.
    t.relay.expire(performance.now() + 60_000);
    assert.equal(t.toClient.items.length, 0, 'the client is not answered');
    const next = t.attach();
    const [reopened] = await next.toServer.next();
    assert.deepEqual(reopened, { jsonrpc: '2.0', ...LISTEN });
  }
});

void test('a listen stream is answered -31054 when its child stops for good, -31052 when it is failed', async () => {
  const t = setup(50);
  const child = t.attach();
  t.client(LISTEN);
  await child.toServer.next();
  t.relay.detachServer('stopped', { retry: false });
  const [stopped] = await t.toClient.next();
  assert.deepEqual([stopped!.id, (stopped!.error as { code: number }).code], ['listen:0', -31054]);

  const u = setup(50);
  const again = u.attach();
  u.client(LISTEN);
  await again.toServer.next();
  u.relay.detachServer('exited with code 1', { retry: true });
  u.relay.setUnavailable({ state: 'failed', reason: 'too many restarts' });
  const [failed] = await u.toClient.next();
  assert.deepEqual([failed!.id, (failed!.error as { code: number }).code], ['listen:0', -31052]);
});
