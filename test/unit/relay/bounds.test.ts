/**
 * Every per-session table of the relay is bounded, and reaching a bound ends nothing (docs/relay.md
 * "Bounds"): each limit is tested at the limit and one past it.
 */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { fieldsOf } from '../../../src/audit/event-constructors.js';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { MAX_IN_FLIGHT } from '../../../src/relay/client-side.js';
import { Relay } from '../../../src/relay/relay.js';
import { MAX_SERVER_REQUESTS } from '../../../src/relay/server-requests.js';
import { settle } from '../supervisor/fakes.js';
import { collectLines } from '../../helpers/lines.js';

/** Lines written to a stream, parsed, as they come. */
const lines = (stream: PassThrough) => collectLines(stream);

function setup(clientOutput: Writable = new PassThrough(), attach = true) {
  const client = { input: new PassThrough(), output: clientOutput };
  const server = { input: new PassThrough(), output: new PassThrough() };
  const records: { event: string; fields: Record<string, unknown> }[] = [];
  const audit: AuditSink = {
    bodies: false,
    record: (_server, event) => void records.push({ event: event.name, fields: fieldsOf(event) }),
  };
  const relay = new Relay({
    server: 'test',
    client,
    maxMessageBytes: 1 << 20,
    audit,
    pipeline: createPipeline([]),
    callTimeout: 600_000,
  });
  if (attach) relay.attachServer(server);
  return { relay, client, server, records };
}

const line = (message: Record<string, unknown>) =>
  `${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`;

test(`server→client requests the client never answers: ${MAX_SERVER_REQUESTS} reach it, the next is answered to the server`, async () => {
  const t = setup();
  const toClient = lines(t.client.output as PassThrough);
  const toServer = lines(t.server.output);
  t.client.input.write(
    line({
      id: 'init',
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: { sampling: {} },
        clientInfo: { name: 'c', version: '1' },
      },
    }),
  );
  await settle();
  const ask = (id: number) =>
    line({
      id: `s${id}`,
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 1 },
    });
  let chunk = '';
  for (let id = 1; id <= MAX_SERVER_REQUESTS; id += 1) chunk += ask(id);
  t.server.input.write(chunk);
  await settle();
  assert.equal(toClient.length, MAX_SERVER_REQUESTS, 'at the limit: every one reaches the client');
  t.server.input.write(ask(MAX_SERVER_REQUESTS + 1));
  await settle();
  assert.equal(toClient.length, MAX_SERVER_REQUESTS, 'one past it: not forwarded');
  const refused = toServer.find((m) => m.id === `s${MAX_SERVER_REQUESTS + 1}`);
  assert.deepEqual(refused, {
    jsonrpc: '2.0',
    id: `s${MAX_SERVER_REQUESTS + 1}`,
    error: {
      code: ErrorCode.RateLimited,
      message: `Blocked by mcp-guard: ${MAX_SERVER_REQUESTS} requests of the server are waiting for the client's answer (the most mcp-guard holds)`,
    },
  });
  const deny = t.records.find((r) => r.event === 'policy.deny');
  assert.equal(deny?.fields.rule, 'limits.serverRequests');
  // The client answers one: there is room for one more.
  t.client.input.write(line({ id: 's1', result: { role: 'assistant', content: [] } }));
  await settle();
  t.server.input.write(ask(MAX_SERVER_REQUESTS + 2));
  await settle();
  assert.equal(toClient.length, MAX_SERVER_REQUESTS + 1);
});

test(`client requests in flight: ${MAX_IN_FLIGHT} go to the server, the next gets -31052 at once`, async () => {
  const t = setup();
  const toClient = lines(t.client.output as PassThrough);
  const toServer = lines(t.server.output);
  let chunk = '';
  for (let id = 1; id <= MAX_IN_FLIGHT; id += 1) chunk += line({ id, method: 'ping' });
  t.client.input.write(chunk);
  await settle();
  assert.equal(toServer.length, MAX_IN_FLIGHT, 'at the limit: every one forwarded');
  assert.equal(t.relay.inFlight, MAX_IN_FLIGHT);
  t.client.input.write(line({ id: MAX_IN_FLIGHT + 1, method: 'ping' }));
  await settle();
  assert.equal(toServer.length, MAX_IN_FLIGHT, 'one past it: not forwarded');
  assert.deepEqual(toClient, [
    {
      jsonrpc: '2.0',
      id: MAX_IN_FLIGHT + 1,
      error: {
        code: ErrorCode.ServerUnavailable,
        message: `mcp-guard: server 'test' is unavailable (starting): ${MAX_IN_FLIGHT} requests are in flight (the most mcp-guard holds)`,
        data: {
          rule: 'availability',
          reason: `${MAX_IN_FLIGHT} requests are in flight (the most mcp-guard holds)`,
          server: 'test',
          state: 'starting',
        },
      },
    },
  ]);
  assert.equal(t.records.find((r) => r.event === 'policy.deny')?.fields.rule, 'limits.inFlight');
});

test("a client that sends but never reads: mcp-guard's own answers stop its input instead of piling up", async () => {
  let accepted = 0;
  const never = new Writable({
    highWaterMark: 1024,
    write() {
      accepted += 1; // never calls back: the client does not read
    },
  });
  const t = setup(never, false);
  t.relay.setUnavailable({ state: 'failed', reason: 'down' });
  for (let id = 1; id <= 50; id += 1) t.client.input.write(line({ id, method: 'ping' }));
  await settle();
  assert.equal(t.client.input.isPaused(), true, 'the client input is paused');
  const backlog = never.writableLength;
  for (let id = 51; id <= 5000; id += 1) t.client.input.write(line({ id, method: 'ping' }));
  await settle();
  assert.equal(never.writableLength, backlog, 'nothing more was answered into the backlog');
  assert.equal(accepted, 1);
});
