/**
 * The session era's table with the SDK's real transport and fake guarded sessions (a channel
 * whose "relay" answers every request at once): the cap, DELETE, idle expiry, unknown sessions.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import * as sdk from '@modelcontextprotocol/server';
import type { ChannelOwner, SessionChannel } from '../../../src/http/channel.js';
import { SessionTable } from '../../../src/http/session-table.js';

interface Fake {
  owner: ChannelOwner;
  stopped: boolean;
}

function fakeOpener() {
  const opened: Fake[] = [];
  const open = (_server: string, owner: ChannelOwner): Promise<SessionChannel> => {
    const input = new PassThrough();
    const output = new PassThrough();
    const fake: Fake = { owner, stopped: false };
    opened.push(fake);
    input.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const message = JSON.parse(line) as { id?: number; method: string };
        if (message.id === undefined) continue;
        const result =
          message.method === 'initialize'
            ? {
                protocolVersion: '2025-06-18',
                capabilities: {},
                serverInfo: { name: 'f', version: '1' },
              }
            : {};
        output.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result })}\n`);
      }
    });
    let end = (): void => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    return Promise.resolve({
      input,
      output,
      ended,
      stop() {
        fake.stopped = true;
        output.end();
        end();
        return ended;
      },
    });
  };
  return { open, opened };
}

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 't', version: '1' },
  },
};

function post(body: unknown, session?: string): { request: Request; body: unknown } {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    ...(session === undefined
      ? {}
      : { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' }),
  };
  return {
    request: new Request('http://127.0.0.1:1/echo/mcp', {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    }),
    body,
  };
}

async function call(table: SessionTable, exchange: { request: Request; body: unknown }) {
  const response = await table.handle({
    server: 'echo',
    request: exchange.request,
    body: exchange.body,
    remote: '127.0.0.1:5',
    maxBytes: 1 << 20,
  });
  await response.body?.cancel();
  return response;
}

test('SessionTable: a session per initialize up to the cap (503 past it); DELETE stops its session and frees its place', async () => {
  const { open, opened } = fakeOpener();
  const table = new SessionTable(sdk, open, { maxSessions: 2, idleMs: 60_000 });
  const first = await call(table, post(INIT));
  const second = await call(table, post(INIT));
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  const id = first.headers.get('mcp-session-id')!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(opened[0]!.owner, { remote: '127.0.0.1:5', session: id });
  const third = await call(table, post(INIT));
  assert.equal(third.status, 503);
  assert.equal(third.headers.get('retry-after'), '5');
  assert.equal(opened.length, 2, 'no session opened past the cap');

  const gone = new Request('http://127.0.0.1:1/echo/mcp', {
    method: 'DELETE',
    headers: { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' },
  });
  const deleted = await table.handle({
    server: 'echo',
    request: gone,
    body: undefined,
    remote: '127.0.0.1:5',
    maxBytes: 1 << 20,
  });
  assert.equal(deleted.status, 200);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(opened[0]!.stopped, true);
  assert.equal(
    (await call(table, post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, id))).status,
    404,
  );
  assert.equal((await call(table, post(INIT))).status, 200, 'the place is free again');
  await table.close();
  assert.ok(opened.every((fake) => fake.stopped));
});

test('SessionTable: a session idle past the limit is ended; requests without a session must initialize', async () => {
  const { open, opened } = fakeOpener();
  let now = 1000;
  const table = new SessionTable(sdk, open, { maxSessions: 4, idleMs: 5000 }, () => now);
  const id = (await call(table, post(INIT))).headers.get('mcp-session-id')!;
  now += 4999;
  table.expireIdle();
  assert.equal(opened[0]!.stopped, false);
  assert.equal(
    (await call(table, post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, id))).status,
    200,
  );
  now += 5000;
  table.expireIdle();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(opened[0]!.stopped, true);
  assert.equal(
    (await call(table, post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, id))).status,
    404,
  );
  assert.equal(
    (await call(table, post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }))).status,
    400,
  );
  await table.close();
});
