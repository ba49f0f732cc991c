/**
 * Issue 10, class 1's parser differentials end to end: mcp-guard forwards the bytes it received
 * when no check changed a message, so a line JSON parsers read two ways — a key twice (JSON.parse
 * keeps the last, others the first), spelled twice (`res\u0075lt`), an `id` twice, a `__proto__`
 * member — would reach a client as something the checks never saw. Such a line is refused where
 * it is parsed (src/protocol/one-reading.ts; docs/relay.md "One classification"): from the server,
 * the client's request is answered -32603 instead; from the client, -32600, and the server never
 * sees it. With the SDK's client, Cline's, and a raw client for what neither would send.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { clineThrough } from '../helpers/cline-client.js';
import {
  callsReceived,
  guardFixture,
  rawThrough,
  resultText,
  sdkThrough,
  waitAllGone,
} from '../helpers/guarded.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';

const WAYS: [string, RegExp][] = [
  ['evil-first', /a key repeated in one object/],
  ['evil-last', /a key repeated in one object/],
  ['escaped', /a key repeated in one object/],
  ['id-twice', /a key repeated in one object/],
  ['proto', /"__proto__" key/],
];

async function hostile(t: TestContext) {
  return guardFixture(await testDir(t), 'hostile-parse', []);
}

void test(
  'SDK client: a result the server wrote to be read two ways is refused, never forwarded as received; the session goes on',
  { timeout: 60_000 },
  async (t) => {
    const guarded = await hostile(t);
    const { sdk, step, close } = await sdkThrough(t, guarded);
    for (const [way, reason] of WAYS) {
      const error = await step(
        way,
        sdk.client.callTool({ name: 'twice', arguments: { way } }).then(
          (result) => assert.fail(`${way}: answered ${JSON.stringify(result)}`),
          (reason: unknown) => reason,
        ),
      );
      assert.ok(error instanceof McpError, String(error));
      assert.equal(error.code, ErrorCode.InternalError, way);
      assert.equal((error.data as JsonObject).rule, 'framing', way);
      assert.match(String((error.data as JsonObject).reason), reason, way);
    }
    assert.equal(
      resultText(await step('echo', sdk.client.callTool({ name: 'echo', arguments: {} }))),
      'echo',
    );
    const invalid = guarded.audit().filter((record) => record.event === 'rpc.invalid');
    assert.equal(invalid.length, WAYS.length, JSON.stringify(invalid));
    assert.ok(invalid.every((record) => record.direction === 'server-to-client'));
    await close();
  },
);

void test(
  'raw client: a tools/call whose name or arguments parsers read two ways is refused -32600 and never reaches the server',
  { timeout: 60_000 },
  async (t) => {
    const guarded = await hostile(t);
    const { raw, step, close } = await rawThrough(t, guarded);
    await step('initialize', raw.initialize());
    const lines: [number, string][] = [
      [
        50_001,
        '{"jsonrpc":"2.0","id":50001,"method":"tools/call","params":{"name":"echo","arguments":{},"name":"twice"}}',
      ],
      [
        50_002,
        '{"jsonrpc":"2.0","id":50002,"method":"tools/call","params":{"name":"echo","arguments":{"a":"x","a":"y"}}}',
      ],
      [
        50_003,
        '{"jsonrpc":"2.0","id":50003,"method":"tools/call","params":{"name":"echo","__proto__":{"name":"twice"}}}',
      ],
    ];
    for (const [id, line] of lines) {
      raw.write(`${line}\n`);
      const reply = await step(String(id), raw.nextLine());
      assert.equal(reply.id, id);
      assert.equal((reply.error as JsonObject | undefined)?.code, ErrorCode.InvalidRequest, line);
    }
    const echo = await step('echo', raw.request('tools/call', { name: 'echo', arguments: {} }));
    assert.equal(resultText(echo.result), 'echo');
    assert.deepEqual(await callsReceived(guarded.recvLog), ['echo']);
    await close();
  },
);

void test(
  "Cline's client: a result read two ways is refused, and Cline's session goes on",
  { timeout: 60_000 },
  async (t) => {
    const guarded = await hostile(t);
    const { cline, step } = await clineThrough(t, guarded);
    for (const [way, reason] of WAYS) {
      const refused = await step(
        way,
        cline.callTool('twice', { way }).then(
          (result) => assert.fail(`${way}: answered ${JSON.stringify(result)}`),
          (error: Error) => error,
        ),
      );
      assert.match(refused.message, reason, way);
    }
    assert.equal(resultText(await step('echo', cline.callTool('echo', {}))), 'echo');
    await cline.close();
    await waitAllGone(
      cline.spawned.map((child) => child.pid),
      5000,
      cline.stderr,
    );
  },
);
