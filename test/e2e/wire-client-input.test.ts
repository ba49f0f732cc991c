/**
 * Bad input from the client (SPEC 6.1–6.2, docs/relay.md), sent by the raw line client to
 * `mcp-guard run` in front of the echo fixture: each line gets exactly the JSON-RPC error it
 * should, with the right id, or nothing at all; none of it reaches the server (its RECV_LOG holds
 * only the valid messages, byte for byte); ids are never rewritten; stdout carries only JSON-RPC.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { guardFixture, rawThrough, resultText } from '../helpers/guarded.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject, RawChild } from '../helpers/raw-client.js';

const STEP_MS = 20_000;

/**
 * Writes `payload` as one line, then a ping with a fresh id, and returns every message that
 * came back before that ping's reply (order is preserved, so nothing later belongs to it).
 */
async function exchange(raw: RawChild, payload: string | Buffer, label: string) {
  const sentinel = `sentinel ${label}`;
  raw.write(Buffer.concat([Buffer.from(payload), Buffer.from('\n')]));
  raw.send({ jsonrpc: '2.0', id: sentinel, method: 'ping' });
  const before: JsonObject[] = [];
  for (;;) {
    const message = await raw.nextLine(STEP_MS);
    if (message.id === sentinel && 'result' in message) return before;
    before.push(message);
  }
}

/** [label, line sent, the (id, code) of each reply expected — none: nothing comes back] */
const CASES: [string, string | Buffer, [id: unknown, code: number][]][] = [
  ['not JSON', 'hello there', [[null, -32700]]],
  ['half an object', '{"jsonrpc":"2.0","id":', [[null, -32700]]],
  ['invalid JSON, readable id', '{"jsonrpc":"2.0","id":7,"method":"ping",oops}', [[7, -32700]]],
  ['invalid JSON, readable string id', '{"id":"s\\"7","jsonrpc":"2.0",}', [['s"7', -32700]]],
  ['invalid UTF-8, no id', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), [[null, -32700]]],
  ['a number', '42', [[null, -32600]]],
  ['null', 'null', [[null, -32600]]],
  ['a string', '"ping"', [[null, -32600]]],
  ['an object that is not JSON-RPC', '{"hello":1}', [[null, -32600]]],
  ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":9,"method":"ping"}', [[9, -32600]]],
  ['no jsonrpc', '{"id":10,"method":"ping"}', [[10, -32600]]],
  ['id an object', '{"jsonrpc":"2.0","id":{"n":1},"method":"ping"}', [[null, -32600]]],
  ['id true', '{"jsonrpc":"2.0","id":true,"method":"ping"}', [[null, -32600]]],
  ['method a number', '{"jsonrpc":"2.0","id":11,"method":5}', [[11, -32600]]],
  ['params a string', '{"jsonrpc":"2.0","id":12,"method":"ping","params":"x"}', [[12, -32600]]],
  [
    'a batch',
    '[{"jsonrpc":"2.0","id":13,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":"b14","method":"ping"}]',
    [
      [13, -32600],
      ['b14', -32600],
    ],
  ],
  ['an empty batch', '[]', [[null, -32600]]],
  ['a batch of notifications', '[{"jsonrpc":"2.0","method":"notifications/x"}]', [[null, -32600]]],
  ['a response to an unknown id', '{"jsonrpc":"2.0","id":999,"result":{}}', []],
  [
    'an error response to an unknown id',
    '{"jsonrpc":"2.0","id":"nope","error":{"code":1,"message":"m"}}',
    [],
  ],
  [
    'a response with result and error',
    '{"jsonrpc":"2.0","id":16,"result":{},"error":{"code":1,"message":"m"}}',
    [],
  ],
];

void test(
  'bad client lines: -32700 / -32600 with the id where it is valid, nothing for stray responses, none of it forwarded',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo');
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();
    // Every case runs; the assertion lists every one that went wrong.
    const wrong: string[] = [];
    for (const [label, payload, expected] of CASES) {
      const replies = await exchange(raw, payload, label);
      const got = replies.map((reply) => [reply.id, (reply.error as JsonObject | undefined)?.code]);
      if (
        JSON.stringify(got) !== JSON.stringify(expected) ||
        replies.some((r) => r.jsonrpc !== '2.0')
      )
        wrong.push(
          `${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(replies)}`,
        );
    }
    assert.deepEqual(wrong, []);
    // The session is intact.
    const echoed = await raw.request('tools/call', { name: 'echo', arguments: { text: 'still' } });
    assert.equal(resultText(echoed.result), 'still');
    await close();

    const received = (await readFile(guarded.recvLog, 'utf8')).trim().split('\n');
    // What the client sent that reached the server (not mcp-guard's own listing of the tools).
    const methods = received
      .map((line) => JSON.parse(line) as JsonObject)
      .filter((message) => !String(message.id).startsWith('mcp-guard-'))
      .map((message) => message.method);
    assert.deepEqual(methods, [
      'initialize',
      'notifications/initialized',
      ...CASES.map(() => 'ping'),
      'tools/call',
    ]);
    const invalid = guarded.audit().filter((record) => record.event === 'rpc.invalid');
    assert.equal(invalid.length, CASES.length, 'one rpc.invalid record per bad line');
    assert.ok(invalid.every((record) => record.direction === 'client-to-server'));
    assert.doesNotMatch(raw.stderr(), /error/i);
  },
);

void test(
  'invalid UTF-8 in a request whose id is readable gets -32700 with that id (docs/relay.md)',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const { raw, close } = await rawThrough(t, guardFixture(dir, 'echo'));
    await raw.initialize();
    const head =
      '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"';
    const line = Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from('"}}}')]);
    const replies = await exchange(raw, line, 'utf-8');
    await close();
    assert.deepEqual(
      replies.map((reply) => [reply.id, (reply.error as JsonObject | undefined)?.code]),
      [[8, -32700]],
      JSON.stringify(replies),
    );
  },
);

void test(
  'a response with neither result nor error gets no reply, like every broken response (docs/relay.md)',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const { raw, close } = await rawThrough(t, guardFixture(dir, 'echo'));
    await raw.initialize();
    // An error with id 15 would be taken for the reply to the client's own request 15.
    const replies = await exchange(raw, '{"jsonrpc":"2.0","id":15}', 'neither');
    await close();
    assert.deepEqual(replies, []);
  },
);

void test(
  'a request whose id is already in flight gets -32600; the first one is answered as usual',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo');
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();
    const sleep = { jsonrpc: '2.0', id: 'dup', method: 'tools/call' };
    raw.send({ ...sleep, params: { name: 'sleep', arguments: { ms: 1000 } } });
    raw.send({ ...sleep, params: { name: 'echo', arguments: { text: 'second' } } });
    const first = await raw.nextLine(STEP_MS);
    assert.deepEqual(
      [first.id, (first.error as JsonObject | undefined)?.code],
      ['dup', -32600],
      JSON.stringify(first),
    );
    const second = await raw.nextLine(STEP_MS);
    assert.deepEqual([second.id, resultText(second.result)], ['dup', 'slept 1000 ms']);
    // Once answered, the id is free again.
    raw.send({ ...sleep, params: { name: 'echo', arguments: { text: 'again' } } });
    assert.equal(resultText((await raw.nextLine(STEP_MS)).result), 'again');
    await close();
    const received = (await readFile(guarded.recvLog, 'utf8')).trim().split('\n');
    assert.doesNotMatch(raw.stderr(), /error/i);
    assert.ok(
      !received.some((line) => line.includes('"second"')),
      'the duplicate never reached the server',
    );
  },
);

void test(
  'ids are never rewritten: strings, unicode, empty, 0, negative, large and fractional numbers come back as sent',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo');
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();
    const ids = [
      'abc',
      '',
      '🦄 ünï',
      'x'.repeat(1000),
      '7',
      0,
      -1,
      -42,
      9007199254740991,
      2.5,
      1e21,
    ];
    const sent: string[] = [];
    for (const id of ids) {
      const line = JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'i' } },
      });
      sent.push(line);
      raw.send(line);
      const reply = await raw.nextRawLine(STEP_MS);
      // The reply's id bytes are exactly what the server wrote: JSON.stringify of the same id.
      assert.ok(
        reply.toString('utf8').startsWith(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},`),
        reply.toString('utf8').slice(0, 200),
      );
    }
    // Errors mcp-guard writes itself keep the id too.
    raw.send(`{"jsonrpc":"2.0","id":-0.5,"method":"ping","params":"bad"}`);
    assert.equal((await raw.nextLine(STEP_MS)).id, -0.5);
    await close();
    const received = (await readFile(guarded.recvLog, 'utf8')).trim().split('\n');
    for (const line of sent)
      assert.ok(received.includes(line), `forwarded as sent: ${line.slice(0, 80)}`);
    assert.doesNotMatch(raw.stderr(), /error/i);
  },
);
