/**
 * The relay in the stateless era (MCP 2026-07-28): which answers make the server ready, the era
 * after a refused `initialize`, and mcp-guard's own requests carrying the era's `_meta`.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { Relay } from '../../../src/relay/relay.js';
import { mustResume } from '../../../src/relay/session-memory.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { sampling: {} },
};

const INIT = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'test', version: '1' },
};

/** A relay with a server attached; `lines` resolves the next line each peer is sent. */
function setup() {
  const clientIn = new PassThrough();
  const clientOut = new PassThrough();
  const serverIn = new PassThrough();
  const serverOut = new PassThrough();
  const audit: AuditSink = { bodies: false, record: () => undefined };
  const relay = new Relay({
    server: 'test',
    client: { input: clientIn, output: clientOut },
    maxMessageBytes: 1 << 16,
    audit,
    pipeline: createPipeline([]),
    callTimeout: 60_000,
  });
  relay.attachServer({ input: serverIn, output: serverOut });
  let handshakes = 0;
  relay.on('handshake', () => (handshakes += 1));
  const next = async (stream: PassThrough): Promise<Record<string, unknown>> => {
    const [chunk] = (await once(stream, 'data')) as [Buffer];
    return JSON.parse(chunk.toString('utf8')) as Record<string, unknown>;
  };
  /** The client sends a request; the server gets it and answers with `answer`. */
  const exchange = async (
    id: number,
    method: string,
    params: Record<string, unknown>,
    answer: Record<string, unknown>,
  ) => {
    const sent = next(serverOut);
    clientIn.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    await sent;
    const back = next(clientOut);
    serverIn.write(`${JSON.stringify({ jsonrpc: '2.0', id, ...answer })}\n`);
    return back;
  };
  return { relay, exchange, next, serverIn, serverOut, handshakes: () => handshakes };
}

void test('stateless era: the first answer to a client request makes the server ready', async () => {
  const t = setup();
  await t.exchange(1, 'tools/list', { _meta: META }, { result: { tools: [] } });
  assert.equal(t.relay.memory.era, 'stateless');
  assert.equal(t.handshakes(), 1);
  assert.equal(mustResume(t.relay.memory), true, 'a new child is brought up to it');
  await t.exchange(
    2,
    'tools/call',
    { name: 'x', _meta: META },
    { error: { code: -32602, message: 'no' } },
  );
  assert.equal(t.handshakes(), 2, 'an error answer to a call shows the server up as well');
  t.relay.close();
});

void test("stateless era: an error to server/discover is no sign of a 2026 server (a dual-era client's probe)", async () => {
  const t = setup();
  await t.exchange(
    1,
    'server/discover',
    { _meta: META },
    { error: { code: -32601, message: 'Method not found' } },
  );
  assert.equal(t.handshakes(), 0);
  assert.equal(mustResume(t.relay.memory), false);
  // The client falls back; the session era from its initialize on.
  await t.exchange(2, 'initialize', INIT, {
    result: { protocolVersion: '2025-06-18', capabilities: { tools: {} } },
  });
  assert.equal(t.relay.memory.era, 'session');
  assert.equal(t.handshakes(), 1);
  assert.equal(t.relay.memory.protocolVersion, '2025-06-18');
  t.relay.close();
});

void test('stateless era: a server/discover result tells the server capabilities', async () => {
  const t = setup();
  await t.exchange(
    1,
    'server/discover',
    { _meta: META },
    {
      result: {
        supportedVersions: ['2026-07-28'],
        capabilities: { tools: {} },
        resultType: 'complete',
      },
    },
  );
  assert.equal(t.handshakes(), 1);
  assert.deepEqual(t.relay.memory.serverCapabilities, { tools: {} });
  t.relay.close();
});

void test('a refused initialize opens no session: the client may go on in the stateless era', async () => {
  const t = setup();
  await t.exchange(1, 'initialize', INIT, {
    error: {
      code: -32022,
      message: 'Unsupported protocol version',
      data: { supported: ['2026-07-28'] },
    },
  });
  assert.equal(t.handshakes(), 0);
  assert.equal(t.relay.memory.era, undefined);
  await t.exchange(
    2,
    'server/discover',
    { _meta: META },
    {
      result: { supportedVersions: ['2026-07-28'], capabilities: {} },
    },
  );
  assert.equal(t.relay.memory.era, 'stateless');
  assert.equal(t.handshakes(), 1);
  t.relay.close();
});

void test("mcp-guard's own requests carry the stateless era's _meta, with no client capabilities", async () => {
  const t = setup();
  const sessionEra = t.next(t.serverOut);
  void t.relay.request('ping', {}, 1000).catch(() => undefined);
  assert.deepEqual((await sessionEra).params, {}, 'before the era is known: as they were');
  await t.exchange(
    1,
    'tools/list',
    { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2026-09-01' } },
    {
      result: { tools: [] },
    },
  );
  const own = t.next(t.serverOut);
  void t.relay.request('server/discover', { cursor: 'c' }, 1000).catch(() => undefined);
  const sent = await own;
  assert.equal(sent.method, 'server/discover');
  assert.deepEqual(sent.params, {
    cursor: 'c',
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-09-01',
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  });
  t.relay.close();
});
