import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { fieldsOf } from '../../../src/audit/event-constructors.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { createPipeline, type PolicyCheck } from '../../../src/policy/pipeline.js';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import { Relay } from '../../../src/relay/relay.js';
import { waitOn } from '../../helpers/wait.js';

interface Record_ {
  event: string;
  fields: Record<string, unknown>;
}

/** Collects the lines written to a stream, parsed. */
class Lines {
  readonly items: unknown[] = [];
  readonly raw: string[] = [];
  #buffer = '';
  readonly #stream: PassThrough;
  constructor(stream: PassThrough) {
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8');
      let i;
      while ((i = this.#buffer.indexOf('\n')) !== -1) {
        this.raw.push(this.#buffer.slice(0, i));
        this.items.push(JSON.parse(this.#buffer.slice(0, i)));
        this.#buffer = this.#buffer.slice(i + 1);
      }
    });
  }
  /** Resolves with the next `count` lines, or fails after 2 s saying what did arrive. */
  async next(count = 1): Promise<unknown[]> {
    await waitOn(
      this.#stream,
      'data',
      () => this.items.length >= count,
      2000,
      () => `waiting for ${count} lines; have ${JSON.stringify(this.items)}`,
    );
    this.raw.splice(0, count);
    return this.items.splice(0, count);
  }
}

function setup(
  options: {
    maxMessageBytes?: number;
    attach?: boolean;
    checks?: PolicyCheck[];
    callTimeout?: number;
    state?: () => string;
    ownListing?: boolean;
  } = {},
) {
  const clientIn = new PassThrough();
  const clientOut = new PassThrough();
  const serverIn = new PassThrough(); // what the server writes (relay reads)
  const serverOut = new PassThrough(); // what the relay writes to the server
  const records: Record_[] = [];
  const audit: AuditSink = {
    bodies: false,
    record: (_server, event) => void records.push({ event: event.name, fields: fieldsOf(event) }),
  };
  const relay = new Relay({
    server: 'test',
    client: { input: clientIn, output: clientOut },
    maxMessageBytes: options.maxMessageBytes ?? 1024,
    audit,
    pipeline: createPipeline(options.checks ?? []),
    callTimeout: options.callTimeout ?? 60_000,
    ...(options.state === undefined ? {} : { state: options.state }),
    ...(options.ownListing === true ? { ownListing: { timeoutMs: 60_000 } } : {}),
  });
  if (options.attach !== false) relay.attachServer({ input: serverIn, output: serverOut });
  return {
    relay,
    records,
    toServer: new Lines(serverOut),
    toClient: new Lines(clientOut),
    client: (line: string) => clientIn.write(`${line}\n`),
    server: (line: string) => serverIn.write(`${line}\n`),
    clientIn,
    serverIn,
    serverOut,
  };
}

const req = (id: number | string, method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });

test('a request is forwarded byte for byte and its response correlated, ids untouched', async () => {
  const t = setup();
  const raw = '{"jsonrpc":"2.0",  "id":"x-1","method":"tools/call","params":{"name":"echo"}}';
  t.client(raw);
  while (t.toServer.raw.length === 0)
    await t.toServer.next(0).then(() => new Promise(setImmediate));
  assert.equal(t.toServer.raw[0], raw);
  await t.toServer.next();
  t.server('{"jsonrpc":"2.0","id":"x-1","result":{"content":[]}}');
  const [reply] = await t.toClient.next();
  assert.deepEqual(reply, { jsonrpc: '2.0', id: 'x-1', result: { content: [] } });
  const events = t.records.map((r) => r.event);
  assert.deepEqual(events, ['rpc.request', 'rpc.response']);
  assert.equal(t.records[1]!.fields.tool, 'echo');
  assert.equal(t.records[1]!.fields.isError, false);
});

test('order is preserved per direction', async () => {
  const t = setup();
  for (let i = 1; i <= 20; i += 1) t.client(req(i, 'ping'));
  const seen = (await t.toServer.next(20)) as { id: number }[];
  assert.deepEqual(
    seen.map((m) => m.id),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  for (let i = 20; i >= 1; i -= 1) t.server(JSON.stringify({ jsonrpc: '2.0', id: i, result: {} }));
  const back = (await t.toClient.next(20)) as { id: number }[];
  assert.deepEqual(
    back.map((m) => m.id),
    Array.from({ length: 20 }, (_, i) => 20 - i),
  );
});

test('junk from the server is dropped and audited, never forwarded', async () => {
  const t = setup();
  t.client(req(1, 'ping'));
  await t.toServer.next();
  t.server('Server started on stdio!');
  t.server('\u001b[32mgreen\u001b[0m');
  t.server('{"hello":1}');
  t.server('[1,2]');
  t.server('{"jsonrpc":"2.0","id":999,"result":{}}');
  t.server('{"jsonrpc":"2.0","id":1,"result":{}}');
  const [reply] = await t.toClient.next();
  assert.deepEqual(reply, { jsonrpc: '2.0', id: 1, result: {} });
  assert.equal(t.toClient.items.length, 0);
  const invalid = t.records.filter((r) => r.event === 'rpc.invalid');
  assert.equal(invalid.length, 5);
  assert.ok(invalid.every((r) => r.fields.direction === 'server-to-client'));
  assert.equal(invalid[4]!.fields.reason, 'response to an unknown id');
});

test('junk from the client gets the right JSON-RPC error', async () => {
  const t = setup({ maxMessageBytes: 200 });
  const cases: { line: string; code: number; id: unknown }[] = [
    { line: 'not json', code: ErrorCode.ParseError, id: null },
    { line: '{"jsonrpc":"2.0","id":4,"method":', code: ErrorCode.ParseError, id: 4 },
    { line: '{"jsonrpc":"1.0","id":5,"method":"ping"}', code: ErrorCode.InvalidRequest, id: 5 },
    { line: '7', code: ErrorCode.InvalidRequest, id: null },
    {
      line: `{"jsonrpc":"2.0","id":6,"method":"x","params":{"p":"${'a'.repeat(300)}"}}`,
      code: ErrorCode.MessageTooLarge,
      id: 6,
    },
  ];
  for (const c of cases) {
    t.client(c.line);
    const [reply] = (await t.toClient.next()) as { id: unknown; error: { code: number } }[];
    assert.equal(reply!.error.code, c.code, c.line.slice(0, 40));
    assert.equal(reply!.id, c.id, c.line.slice(0, 40));
  }
  assert.equal(t.toServer.items.length, 0, 'nothing reached the server');
});

test('a batch is refused: each request in it gets -32600, nothing is forwarded', async () => {
  const t = setup();
  t.client(`[${req(1, 'ping')},${req(2, 'ping')}]`);
  const replies = (await t.toClient.next(2)) as { id: number; error: { code: number } }[];
  assert.deepEqual(
    replies.map((r) => [r.id, r.error.code]),
    [
      [1, -32600],
      [2, -32600],
    ],
  );
  t.client('[]');
  const [empty] = (await t.toClient.next()) as { id: null; error: { code: number } }[];
  assert.equal(empty!.id, null);
  assert.equal(t.toServer.items.length, 0);
});

test('a duplicate id in flight is refused; the first request still completes', async () => {
  const t = setup();
  t.client(req(1, 'ping'));
  t.client(req(1, 'ping'));
  const [dup] = (await t.toClient.next()) as { id: number; error: { code: number } }[];
  assert.equal(dup!.error.code, ErrorCode.InvalidRequest);
  assert.equal((await t.toServer.next()).length, 1);
  t.server('{"jsonrpc":"2.0","id":1,"result":{}}');
  assert.deepEqual(await t.toClient.next(), [{ jsonrpc: '2.0', id: 1, result: {} }]);
});

test('an oversized response to a pending request is answered with -31053 for that id', async () => {
  const t = setup({ maxMessageBytes: 100 });
  t.client(req(9, 'tools/call', { name: 'big' }));
  await t.toServer.next();
  t.server(`{"jsonrpc":"2.0","id":9,"result":{"t":"${'z'.repeat(500)}"}}`);
  const [reply] = (await t.toClient.next()) as { id: number; error: { code: number } }[];
  assert.equal(reply!.id, 9);
  assert.equal(reply!.error.code, ErrorCode.MessageTooLarge);
});

test('an oversized message with its id written last (as the MCP SDK writes) gets -31053 with that id', async () => {
  const t = setup({ maxMessageBytes: 100 });
  t.client(
    `{"method":"tools/call","params":{"name":"echo","arguments":{"m":"${'x'.repeat(500)}"}},"jsonrpc":"2.0","id":11}`,
  );
  const [refused] = (await t.toClient.next()) as { id: number; error: { code: number } }[];
  assert.deepEqual([refused!.id, refused!.error.code], [11, ErrorCode.MessageTooLarge]);
  t.client(req(12, 'tools/call', { name: 'big' }));
  await t.toServer.next();
  t.server(`{"result":{"t":"${'z'.repeat(500)}"},"jsonrpc":"2.0","id":12}`);
  const [reply] = (await t.toClient.next()) as { id: number; error: { code: number } }[];
  assert.deepEqual([reply!.id, reply!.error.code], [12, ErrorCode.MessageTooLarge]);
});

test('server→client requests: forwarded when the client declared the capability, else answered here', async () => {
  const t = setup();
  t.client(
    req(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: { sampling: {} },
      clientInfo: { name: 'c', version: '1' },
    }),
  );
  await t.toServer.next();
  t.server(req('s1', 'sampling/createMessage', { messages: [] }));
  const [forwarded] = (await t.toClient.next()) as { id: string; method: string }[];
  assert.equal(forwarded!.method, 'sampling/createMessage');
  t.server(req('s2', 'roots/list'));
  const [answer] = (await t.toServer.next()) as { id: string; error: { code: number } }[];
  assert.equal(answer!.id, 's2');
  assert.equal(answer!.error.code, ErrorCode.MethodNotFound);
  assert.equal(t.toClient.items.length, 0, 'the undeclared request never reached the client');
  t.client('{"jsonrpc":"2.0","id":"s1","result":{"role":"assistant"}}');
  const [response] = (await t.toServer.next()) as { id: string }[];
  assert.equal(response!.id, 's1');
  t.client('{"jsonrpc":"2.0","id":"s1","result":{}}');
  t.client(req(2, 'ping'));
  const [next] = (await t.toServer.next()) as { id: number }[];
  assert.equal(next!.id, 2, 'the second response to s1 was dropped');
});

test('detaching the server answers in-flight requests with -31054', async () => {
  const t = setup();
  t.client(req(1, 'tools/call', { name: 'slow' }));
  t.client(req(2, 'ping'));
  await t.toServer.next(2);
  t.relay.detachServer('exited with code 1');
  const replies = (await t.toClient.next(2)) as {
    id: number;
    error: { code: number; data: { server: string } };
  }[];
  assert.deepEqual(replies.map((r) => r.id).sort(), [1, 2]);
  assert.ok(
    replies.every(
      (r) => r.error.code === ErrorCode.ServerStopped && r.error.data.server === 'test',
    ),
  );
});

test('requests wait for a server to attach; with the server unavailable they get -31052', async () => {
  const t = setup({ attach: false });
  t.client(req(1, 'ping'));
  const serverIn = new PassThrough();
  const serverOut = new PassThrough();
  const toServer = new Lines(serverOut);
  await new Promise(setImmediate);
  assert.equal(toServer.items.length, 0, 'nothing is written before a server is attached');
  t.relay.attachServer({ input: serverIn, output: serverOut });
  assert.deepEqual(
    (await toServer.next()).map((m) => (m as { id: number }).id),
    [1],
  );

  const u = setup({ attach: false });
  u.relay.setUnavailable({ state: 'failed', reason: 'spawn node-x ENOENT' });
  u.client(
    req(3, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    }),
  );
  const [reply] = (await u.toClient.next()) as {
    id: number;
    error: { code: number; data: { state: string } };
  }[];
  assert.equal(reply!.id, 3);
  assert.equal(reply!.error.code, ErrorCode.ServerUnavailable);
  assert.equal(reply!.error.data.state, 'failed');
});

test("mcp-guard's own requests use ids that never reach the client", async () => {
  const t = setup();
  const pending = t.relay.request('ping', {}, 1000);
  const [sent] = (await t.toServer.next()) as { id: string }[];
  assert.match(sent!.id, /^mcp-guard-/);
  t.server(JSON.stringify({ jsonrpc: '2.0', id: sent!.id, result: {} }));
  assert.deepEqual(await pending, {});
  assert.equal(t.toClient.items.length, 0);
});

test('one input chunk of many messages leaves in one write; records are flushed before the client gets anything', async () => {
  const events: string[] = [];
  const serverStdin = new Writable({
    writev(chunks, done) {
      events.push(`writev:${chunks.length}`);
      done();
    },
    write(_chunk, _encoding, done) {
      events.push('write:1');
      done();
    },
  });
  const clientIn = new PassThrough();
  const serverOut = new PassThrough();
  const clientOut = new Writable({
    writev(chunks, done) {
      events.push(`client-writev:${chunks.length}`);
      done();
    },
    write(_chunk, _encoding, done) {
      events.push('client-write:1');
      done();
    },
  });
  let corked = false;
  const relay = new Relay({
    server: 'test',
    client: { input: clientIn, output: clientOut },
    maxMessageBytes: 1024,
    callTimeout: 60_000,
    audit: {
      bodies: false,
      record: (_s, event) => void events.push(`${corked ? 'held' : 'direct'}:${event.name}`),
      cork: () => void (corked = true),
      uncork: () => {
        corked = false;
        events.push('audit-flush');
      },
    },
    pipeline: createPipeline([]),
  });
  relay.attachServer({ input: serverOut, output: serverStdin });
  clientIn.write(Array.from({ length: 5 }, (_, i) => `${req(i + 1, 'ping')}\n`).join(''));
  await new Promise(setImmediate);
  assert.deepEqual(events.splice(0), [
    ...Array.from({ length: 5 }, () => 'held:rpc.request'),
    'writev:5',
    'audit-flush',
  ]);
  serverOut.write(
    Array.from({ length: 5 }, (_, i) => `{"jsonrpc":"2.0","id":${i + 1},"result":{}}\n`).join(''),
  );
  await new Promise(setImmediate);
  assert.deepEqual(events, [
    ...Array.from({ length: 5 }, () => 'held:rpc.response'),
    'audit-flush',
    'client-writev:5',
  ]);
});

/** Denies what `deny` picks, in the direction given; passes everything else. */
const denyWhere = (
  direction: 'client-to-server' | 'server-to-client',
  deny: (method: string | undefined) => boolean,
): PolicyCheck => ({
  name: 'test-deny',
  check: (message, context) => {
    if (context.direction !== direction) return { action: 'pass' };
    const method = message.kind === 'request' ? message.method : context.request?.method;
    return deny(method)
      ? { action: 'deny', rule: 'tools.deny', reason: 'move_file is denied' }
      : { action: 'pass' };
  },
});

test('a refused request gets the exact SPEC 6 reply and never reaches the server', async () => {
  const t = setup({ checks: [denyWhere('client-to-server', (m) => m !== 'ping')] });
  t.client(req(1, 'tools/call', { name: 'move_file', arguments: {} }));
  t.client(req(2, 'resources/read', { uri: 'file:///etc/passwd' }));
  t.client(req(3, 'ping'));
  const [call, read] = await t.toClient.next(2);
  assert.deepEqual(call, {
    jsonrpc: '2.0',
    id: 1,
    result: {
      content: [{ type: 'text', text: 'Blocked by mcp-guard: tools.deny: move_file is denied' }],
      isError: true,
    },
  });
  assert.deepEqual(read, {
    jsonrpc: '2.0',
    id: 2,
    error: {
      code: -31050,
      message: 'Blocked by mcp-guard: move_file is denied',
      data: { rule: 'tools.deny', reason: 'move_file is denied', server: 'test' },
    },
  });
  assert.deepEqual(
    (await t.toServer.next()).map((m) => (m as { id: number }).id),
    [3],
  );
  const denials = t.records.filter((r) => r.event === 'policy.deny');
  assert.deepEqual(
    denials.map((r) => [r.fields.id, r.fields.method, r.fields.tool, r.fields.direction]),
    [
      [1, 'tools/call', 'move_file', 'client-to-server'],
      [2, 'resources/read', undefined, 'client-to-server'],
    ],
  );
});

test("a refused server reply still answers the client's request, with the refusal", async () => {
  const t = setup({ checks: [denyWhere('server-to-client', () => true)] });
  t.client(req(1, 'tools/call', { name: 'read' }));
  t.client(req(2, 'tools/list'));
  await t.toServer.next(2);
  t.server('{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"secret"}]}}');
  t.server('{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}');
  const [call, list] = (await t.toClient.next(2)) as Record<string, unknown>[];
  assert.equal((call!.result as { isError: boolean }).isError, true);
  assert.doesNotMatch(JSON.stringify(call), /secret/);
  assert.deepEqual(list!.error, {
    code: -31050,
    message: 'Blocked by mcp-guard: move_file is denied',
    data: { rule: 'tools.deny', reason: 'move_file is denied', server: 'test' },
  });
  const responses = t.records.filter((r) => r.event === 'rpc.response');
  assert.deepEqual(
    responses.map((r) => [r.fields.id, r.fields.isError]),
    [
      [1, true],
      [2, true],
    ],
  );
});

test('callTimeout: a request past it gets -31055 and the server a cancellation', async () => {
  const t = setup({ callTimeout: 50 });
  t.client(req(7, 'tools/call', { name: 'slow' }));
  const [forwarded] = (await t.toServer.next()) as { id: number }[];
  assert.equal(forwarded!.id, 7);
  const [reply] = (await t.toClient.next()) as {
    id: number;
    error: { code: number; data: Record<string, unknown> };
  }[];
  assert.equal(reply!.id, 7);
  assert.equal(reply!.error.code, -31055);
  assert.equal(reply!.error.data.rule, 'callTimeout');
  assert.equal(reply!.error.data.timeoutMs, 50);
  const [cancel] = await t.toServer.next();
  assert.deepEqual(cancel, {
    jsonrpc: '2.0',
    method: 'notifications/cancelled',
    params: { requestId: 7, reason: 'no answer within limits.callTimeout (50 ms)' },
  });
  // The server's late answer is dropped: the client already has its answer.
  t.server('{"jsonrpc":"2.0","id":7,"result":{}}');
  t.client(req(8, 'ping'));
  await t.toServer.next();
  t.server('{"jsonrpc":"2.0","id":8,"result":{}}');
  const [next] = (await t.toClient.next()) as { id: number }[];
  assert.equal(next!.id, 8);
});

test('a request queued while no server is attached gets -31052 once callTimeout passes', async () => {
  const t = setup({ callTimeout: 50, attach: false, state: () => 'restarting' });
  t.client(req(1, 'tools/list'));
  const [reply] = (await t.toClient.next()) as {
    error: { code: number; message: string; data: Record<string, unknown> };
  }[];
  assert.equal(reply!.error.code, -31052);
  assert.deepEqual(reply!.error.data, {
    rule: 'availability',
    reason: 'the server was not ready within limits.callTimeout (50 ms)',
    server: 'test',
    state: 'restarting',
  });
  assert.match(reply!.error.message, /^mcp-guard: server 'test' is unavailable \(restarting\)/);
});

test('detach with retry: read-only calls wait for the next server, others get -31054', async () => {
  const t = setup();
  t.client(req(1, 'tools/list'));
  await t.toServer.next();
  t.server(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      result: {
        tools: [
          { name: 'read', annotations: { readOnlyHint: true } },
          { name: 'write', annotations: { readOnlyHint: false } },
        ],
      },
    }),
  );
  await t.toClient.next();
  t.client(req(2, 'tools/call', { name: 'read' }));
  t.client(req(3, 'tools/call', { name: 'write' }));
  await t.toServer.next(2);
  t.relay.detachServer('terminated by SIGKILL', { retry: true });
  const [stopped] = (await t.toClient.next()) as { id: number; error: { code: number } }[];
  assert.equal(stopped!.id, 3);
  assert.equal(stopped!.error.code, -31054);
  // A new server, held while the session is replayed: nothing of the client's reaches it.
  const next = { input: new PassThrough(), output: new PassThrough() };
  const toNext = new Lines(next.output);
  t.relay.attachServer(next, { held: true });
  t.client(req(4, 'ping'));
  await new Promise(setImmediate);
  assert.equal(toNext.items.length, 0);
  t.relay.release();
  const sent = (await toNext.next(2)) as { id: number; params?: unknown }[];
  assert.deepEqual(
    sent.map((m) => m.id),
    [2, 4],
    'the retried call first, then what waited',
  );
  assert.deepEqual(sent[0]!.params, { name: 'read' });
  // Retried once only: if this server dies too, the call gets -31054 (the ping, sent once so
  // far, waits for the next server).
  t.relay.detachServer('exited with code 1', { retry: true });
  const [again] = (await t.toClient.next()) as { id: number; error: { code: number } }[];
  assert.deepEqual([again!.id, again!.error.code], [2, -31054]);
  assert.deepEqual(
    t.relay.client.retrying.map((entry) => entry.id),
    [4],
  );
});

test('callTimeout at the limit: a request one ms short of it waits, at it is answered', async () => {
  const t = setup({ callTimeout: 60_000 });
  t.client(req(9, 'tools/call', { name: 'slow' }));
  await t.toServer.next();
  const [entry] = [...t.relay.client.pending.values()];
  assert.ok(entry !== undefined);
  t.relay.batch(() => t.relay.client.expire(entry.startedAt + 59_999, 60_000));
  assert.equal(t.relay.client.pending.has(9), true, 'not yet');
  t.relay.batch(() => t.relay.client.expire(entry.startedAt + 60_000, 60_000));
  assert.equal(t.relay.client.pending.has(9), false);
  const [reply] = (await t.toClient.next()) as { id: number; error: { code: number } }[];
  assert.deepEqual([reply!.id, reply!.error.code], [9, -31055]);
});

test('the queue while no server is attached holds 1000 requests; the 1001st gets -31052 at once', async () => {
  const t = setup({ attach: false });
  for (let id = 1; id <= 1001; id += 1) t.client(req(id, 'ping'));
  const [refused] = (await t.toClient.next()) as {
    id: number;
    error: { code: number; data: { reason: string; state: string } };
  }[];
  assert.equal(refused!.id, 1001);
  assert.equal(refused!.error.code, -31052);
  assert.equal(refused!.error.data.reason, 'too many requests waiting for the server');
  const next = { input: new PassThrough(), output: new PassThrough() };
  const toNext = new Lines(next.output);
  t.relay.attachServer(next);
  const sent = (await toNext.next(1000)) as { id: number }[];
  assert.deepEqual(
    sent.map((m) => m.id),
    Array.from({ length: 1000 }, (_, i) => i + 1),
  );
  assert.equal(t.toClient.items.length, 0, 'nothing else was refused');
});

test('a server message that is a request and a response at once never reaches the client; the call it names is answered with -32603', async () => {
  const t = setup();
  t.client(req(1, 'tools/list'));
  await t.toServer.next();
  // The forged answer: a method, and a result naming the client's pending id.
  t.server('{"jsonrpc":"2.0","id":1,"method":"x","result":{"tools":[{"name":"denied"}]}}');
  const [reply] = await t.toClient.next();
  const reason = 'a message is a request, a notification or a response, never two';
  assert.deepEqual(reply, {
    jsonrpc: '2.0',
    id: 1,
    error: {
      code: ErrorCode.InternalError,
      message: `mcp-guard: the server's response was refused: ${reason}`,
      data: { rule: 'framing', reason, server: 'test' },
    },
  });
  const events = t.records.map((r) => r.event);
  assert.deepEqual(events, ['rpc.request', 'rpc.invalid', 'rpc.response']);
  assert.equal(t.records[1]!.fields.direction, 'server-to-client');
  // The real answer that follows is one to an unknown id now: dropped.
  t.server('{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}');
  t.server('{"jsonrpc":"2.0","method":"notifications/x","error":{"code":1,"message":"m"}}');
  t.client(req(2, 'ping'));
  await t.toServer.next();
  t.server('{"jsonrpc":"2.0","id":2,"result":{}}');
  const [pong] = await t.toClient.next();
  assert.deepEqual(pong, { jsonrpc: '2.0', id: 2, result: {} });
  assert.equal(t.toClient.items.length, 0);
});

test('a client message that is two things at once gets -32600 with its id and is not forwarded', async () => {
  const t = setup();
  t.client('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"x"},"result":{}}');
  const [reply] = await t.toClient.next();
  const reason = 'a message is a request, a notification or a response, never two';
  assert.deepEqual(reply, {
    jsonrpc: '2.0',
    id: 5,
    error: {
      code: ErrorCode.InvalidRequest,
      message: reason,
      data: { rule: 'framing', reason, server: 'test' },
    },
  });
  t.client(req(6, 'ping'));
  const [next] = (await t.toServer.next()) as { id: number }[];
  assert.equal(next!.id, 6, 'nothing else reached the server');
});

test("a server request reusing a pending client id is refused unless the client declared the request's capability", async () => {
  const t = setup();
  t.client(
    req(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: { sampling: {} },
      clientInfo: { name: 'c', version: '1' },
    }),
  );
  await t.toServer.next();
  t.server('{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{}}}');
  await t.toClient.next();
  t.client(req(7, 'tools/call', { name: 'slow' }));
  await t.toServer.next();
  // `ping` needs no capability: a client matching ids first would take it for its call's answer.
  t.server(req(7, 'ping'));
  const [refused] = await t.toServer.next();
  const reason =
    "the id of a client request in flight, which the client could take for that request's answer";
  assert.deepEqual(refused, {
    jsonrpc: '2.0',
    id: 7,
    error: { code: ErrorCode.InvalidRequest, message: `Invalid request: ${reason}` },
  });
  const invalid = t.records.filter((r) => r.event === 'rpc.invalid');
  assert.equal(invalid.at(-1)!.fields.reason, reason);
  // A declared capability's request may share the id: this client handles requests as requests.
  t.server(req(7, 'sampling/createMessage', { messages: [] }));
  const [forwarded] = (await t.toClient.next()) as { method: string }[];
  assert.equal(forwarded!.method, 'sampling/createMessage');
  // The same server request id twice in flight is refused too.
  t.server(req(7, 'sampling/createMessage', { messages: [] }));
  const [twice] = (await t.toServer.next()) as { error: { message: string } }[];
  assert.match(twice!.error.message, /already in flight/);
  t.server('{"jsonrpc":"2.0","id":7,"result":{"content":[]}}');
  const [answer] = await t.toClient.next();
  assert.deepEqual(answer, { jsonrpc: '2.0', id: 7, result: { content: [] } });
});

test("a malformed answer to one of mcp-guard's own requests fails it at once; a client request may not take its id", async () => {
  const t = setup();
  const pending = t.relay.request('tools/list', {}, 60_000);
  const [sent] = (await t.toServer.next()) as { id: string }[];
  t.client(req(sent!.id, 'ping'));
  const [refused] = (await t.toClient.next()) as { id: string; error: { code: number } }[];
  assert.equal(refused!.id, sent!.id);
  assert.equal(refused!.error.code, ErrorCode.InvalidRequest);
  t.server(JSON.stringify({ jsonrpc: '2.0', id: sent!.id, method: 'x', result: { tools: [] } }));
  await assert.rejects(pending, /never two/);
  assert.equal(t.toClient.items.length, 0);
});

test("own listing: mcp-guard lists after the client's initialized; a call waits for it, is checked against it, and the client's list teaches nothing", async () => {
  const t = setup({ ownListing: true });
  t.client(
    req(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    }),
  );
  await t.toServer.next();
  t.server(
    '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}}}}',
  );
  await t.toClient.next();
  t.client('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  const [initialized, list] = (await t.toServer.next(2)) as { id?: string; method: string }[];
  assert.equal(initialized!.method, 'notifications/initialized');
  assert.equal(list!.method, 'tools/list', 'after the client notification, not before');
  assert.match(String(list!.id), /^mcp-guard-/);
  // A call now waits: nothing reaches the server until the walk is complete.
  t.client(req(2, 'tools/call', { name: 'echo', arguments: {} }));
  t.client(req(2, 'ping'));
  const [duplicate] = (await t.toClient.next()) as { error: { code: number } }[];
  assert.equal(duplicate!.error.code, ErrorCode.InvalidRequest, 'the waiting id is in flight');
  t.server(
    JSON.stringify({
      jsonrpc: '2.0',
      id: list!.id,
      result: { tools: [{ name: 'echo' }], nextCursor: 'c2' },
    }),
  );
  const [page2] = (await t.toServer.next()) as { id: string; params: unknown }[];
  assert.deepEqual(page2!.params, { cursor: 'c2' });
  assert.equal(t.relay.catalog.seen('tools'), false);
  t.server(
    JSON.stringify({ jsonrpc: '2.0', id: page2!.id, result: { tools: [{ name: 'other' }] } }),
  );
  const [call] = (await t.toServer.next()) as { id: number; method: string }[];
  assert.equal(call!.method, 'tools/call');
  assert.deepEqual([...t.relay.catalog.list('tools').items.keys()], ['echo', 'other']);
  // The client's own listing goes to the server and back, and leaves the catalog as it is.
  t.client(req(3, 'tools/list'));
  await t.toServer.next();
  t.server('{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"forged"}]}}');
  await t.toClient.next();
  assert.deepEqual([...t.relay.catalog.list('tools').items.keys()], ['echo', 'other']);
  // list_changed: a new walk, and the next call waits for it.
  t.server('{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}');
  await t.toClient.next();
  const [again] = (await t.toServer.next()) as { id: string; method: string }[];
  assert.equal(again!.method, 'tools/list');
  t.client(req(4, 'tools/call', { name: 'echo', arguments: {} }));
  // While failed, a waiting call is answered at once with -31052.
  t.relay.setUnavailable({ state: 'failed', reason: 'gave up' });
  const [unavailable] = (await t.toClient.next()) as {
    id: number;
    error: { code: number; data: unknown };
  }[];
  assert.equal(unavailable!.id, 4);
  assert.equal(unavailable!.error.code, ErrorCode.ServerUnavailable);
  assert.deepEqual(unavailable!.error.data, {
    rule: 'availability',
    reason: 'gave up',
    server: 'test',
    state: 'failed',
  });
  t.relay.close();
});

test("own listing: a call that waited callTimeout for mcp-guard's walk gets -31052 with the reason, and the server never sees it", async () => {
  const t = setup({ ownListing: true, callTimeout: 50 });
  t.client(req(9, 'tools/call', { name: 'echo', arguments: {} }));
  // No handshake: the call itself starts the walk, which the server never answers.
  const [list] = (await t.toServer.next()) as { id: string; method: string }[];
  assert.equal(list!.method, 'tools/list');
  t.relay.expire(performance.now() + 50);
  const [reply] = await t.toClient.next();
  const reason =
    "mcp-guard's own listing of the server's tools did not complete within limits.callTimeout (50 ms)";
  assert.deepEqual(reply, {
    jsonrpc: '2.0',
    id: 9,
    error: {
      code: ErrorCode.ServerUnavailable,
      message: `mcp-guard: server 'test' is unavailable (starting): ${reason}`,
      data: { rule: 'availability', reason, server: 'test', state: 'starting' },
    },
  });
  // The late walk lets nothing through: the call was answered and is gone.
  t.server(JSON.stringify({ jsonrpc: '2.0', id: list!.id, result: { tools: [{ name: 'echo' }] } }));
  t.client(req(10, 'ping'));
  const [next] = (await t.toServer.next()) as { id: number; method: string }[];
  assert.equal(next!.method, 'ping');
  t.relay.close();
});
