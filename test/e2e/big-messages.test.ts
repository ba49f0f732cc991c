/**
 * Big messages through mcp-guard. `limits.maxMessageBytes` (8 MiB = 8,388,608 bytes by default)
 * caps a line's bytes including the JSON envelope, excluding its "\n": a line of exactly the
 * limit passes intact, one byte more is refused with -31053 carrying the request's id, and the
 * session carries on. Messages under the cap arrive byte for byte, multi-byte UTF-8 included.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { McpError, CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { nodeCommand } from '../helpers/fixtures.js';
import {
  guardCommand,
  guardFixture,
  rawThrough,
  resultText,
  sdkThrough,
  stepper,
  type GuardOptions,
} from '../helpers/guarded.js';
import { SERVER_EVERYTHING } from '../helpers/paths.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';

const LIMIT = 8 * 1024 * 1024;
const STEP_MS = 60_000;
/** Results stay whole once output.maxResultBytes (default 1 MiB) applies: only the cap is tested. */
const WIDE_OUTPUT: GuardOptions = { entry: { output: { maxResultBytes: '16MiB' } } };

/** `bytes` bytes of UTF-8 text mixing 1-, 2-, 3- and 4-byte characters (plus ASCII filler). */
function mixedText(bytes: number): string {
  const unit = 'aé€𝄞'; // 1 + 2 + 3 + 4 = 10 bytes
  const text = unit.repeat(Math.floor(bytes / 10)) + 'z'.repeat(bytes % 10);
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

/** A tools/call line of exactly `bytes` bytes: echo "ok", padded in `params._meta`. */
function paddedCall(id: string, bytes: number): string {
  const line = (pad: string) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'ok' }, _meta: { pad } },
    });
  return line('p'.repeat(bytes - Buffer.byteLength(line(''))));
}

/** The line giant-line.mjs writes for `giant {bytes}` (see replyOfSize there). */
function giantReply(id: unknown, bytes: number): string {
  const line = (text: string) =>
    JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }] } });
  return line('x'.repeat(bytes - Buffer.byteLength(line(''))));
}

const errorOf = (message: JsonObject) => message.error as JsonObject | undefined;

void test(
  'SDK client: 1 MiB and nearly 8 MiB of mixed UTF-8 echo through mcp-guard intact',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo', [], WIDE_OUTPUT);
    const { sdk, close } = await sdkThrough(t, guarded);
    const step = stepper(sdk.stderr, STEP_MS);
    // Both the request and the reply envelope stay under 128 bytes.
    for (const bytes of [1024 * 1024, LIMIT - 128]) {
      const text = mixedText(bytes);
      const reply = await step(
        `echo ${bytes}`,
        sdk.client.callTool({ name: 'echo', arguments: { text } }, undefined, { timeout: STEP_MS }),
      );
      assert.ok(resultText(reply) === text, `echo of ${bytes} bytes came back altered`);
    }
    await close();
    assert.equal(guarded.audit().filter((record) => record.event === 'rpc.invalid').length, 0);
    assert.doesNotMatch(sdk.stderr(), /error/i);
  },
);

void test(
  'SDK client: 4 MiB through server-everything’s echo intact',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), WIDE_OUTPUT);
    const { sdk, close } = await sdkThrough(t, guarded);
    const step = stepper(sdk.stderr, STEP_MS);
    const message = mixedText(4 * 1024 * 1024);
    const reply = await step(
      'echo',
      sdk.client.callTool({ name: 'echo', arguments: { message } }, undefined, {
        timeout: STEP_MS,
      }),
    );
    assert.ok(resultText(reply) === `Echo: ${message}`, 'the echo came back altered');
    await close();
  },
);

void test(
  'client request of exactly 8,388,608 bytes reaches the server whole; one byte more gets -31053 with its id',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo', [], WIDE_OUTPUT);
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();

    const exact = paddedCall('exact', LIMIT);
    raw.send(exact);
    assert.deepEqual(await raw.nextLine(STEP_MS), {
      jsonrpc: '2.0',
      id: 'exact',
      result: { content: [{ type: 'text', text: 'ok' }] },
    });
    raw.send(paddedCall('over', LIMIT + 1));
    const refused = await raw.nextLine(STEP_MS);
    assert.equal(refused.id, 'over', JSON.stringify(refused));
    assert.equal(errorOf(refused)?.code, -31053);
    const after = await raw.request('tools/call', { name: 'echo', arguments: { text: 'next' } });
    assert.equal(resultText(after.result), 'next');
    await close();

    const received = (await readFile(guarded.recvLog, 'utf8')).split('\n');
    assert.ok(received.includes(exact), 'the exact-limit line reached the server as sent');
    assert.ok(!received.some((line) => line.includes('"id":"over"')), 'the oversized one did not');
    const invalid = guarded.audit().filter((record) => record.event === 'rpc.invalid');
    assert.deepEqual(
      invalid.map((record) => [record.direction, record.id, record.size]),
      [['client-to-server', 'over', LIMIT + 1]],
    );
  },
);

void test(
  'server reply of exactly 8,388,608 bytes reaches the client byte for byte; one byte more gets -31053 with the id',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'giant-line', [], WIDE_OUTPUT);
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();

    raw.send({
      jsonrpc: '2.0',
      id: 41,
      method: 'tools/call',
      params: { name: 'giant', arguments: { bytes: LIMIT } },
    });
    const line = await raw.nextRawLine(STEP_MS);
    assert.equal(line.length, LIMIT);
    assert.ok(line.toString('utf8') === giantReply(41, LIMIT), 'the reply came back altered');

    raw.send({
      jsonrpc: '2.0',
      id: 42,
      method: 'tools/call',
      params: { name: 'giant', arguments: { bytes: LIMIT + 1 } },
    });
    const refused = await raw.nextLine(STEP_MS);
    assert.equal(refused.id, 42, JSON.stringify(refused));
    assert.equal(errorOf(refused)?.code, -31053);
    const after = await raw.request('tools/call', { name: 'echo', arguments: { text: 'next' } });
    assert.equal(resultText(after.result), 'next');
    await close();
    const invalid = guarded.audit().filter((record) => record.event === 'rpc.invalid');
    assert.deepEqual(
      invalid.map((record) => [record.direction, record.size]),
      [['server-to-client', LIMIT + 1]],
    );
  },
);

void test(
  'the -31053 refusal carries data {rule, reason, server}, like every mcp-guard error (SPEC 6)',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo', [], { ...WIDE_OUTPUT, name: 'sized' });
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();
    raw.send(paddedCall('over', LIMIT + 1));
    const refused = await raw.nextLine(STEP_MS);
    await close();
    const data = errorOf(refused)?.data as JsonObject | undefined;
    assert.deepEqual(
      { rule: typeof data?.rule, reason: typeof data?.reason, server: data?.server },
      { rule: 'string', reason: 'string', server: 'sized' },
      JSON.stringify(refused),
    );
  },
);

void test(
  'client request over the cap with its id written last (as the SDK does) gets -31053 with that id',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const { raw, close } = await rawThrough(t, guardFixture(dir, 'echo', [], WIDE_OUTPUT));
    await raw.initialize();
    const text = 'x'.repeat(LIMIT);
    raw.send(
      `{"method":"tools/call","params":{"name":"echo","arguments":{"text":"${text}"}},"jsonrpc":"2.0","id":"last"}`,
    );
    const refused = await raw.nextLine(STEP_MS);
    assert.equal(errorOf(refused)?.code, -31053, JSON.stringify(refused));
    assert.equal(refused.id, 'last', JSON.stringify(refused));
    await close();
  },
);

void test(
  'SDK client: its own request over the cap is answered -31053 with its id (the SDK writes the id last)',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo', [], WIDE_OUTPUT);
    const { sdk, close } = await sdkThrough(t, guarded);
    const step = stepper(sdk.stderr, STEP_MS);
    const call = sdk.client.callTool(
      { name: 'echo', arguments: { text: 'x'.repeat(LIMIT) } },
      undefined,
      { timeout: 15_000 },
    );
    await assert.rejects(step('oversized call', call), (error: unknown) => {
      assert.ok(error instanceof McpError, String(error));
      assert.equal(
        error.code,
        -31053,
        `${error.message}; SDK errors: ${sdk.errors.map((e) => e.message.slice(0, 100)).join(' | ')}`,
      );
      return true;
    });
    const after = await step(
      'echo',
      sdk.client.callTool({ name: 'echo', arguments: { text: 'next' } }),
    );
    assert.equal(resultText(after), 'next');
    await close();
  },
);

void test(
  'server-everything: a reply over the cap (id written last) answers the client’s call with -31053',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), WIDE_OUTPUT);
    // Each '"' of the sampled text is 2 bytes in the client's answer (6 MiB: under the cap) and
    // 4 in the tool's reply, which quotes the answer as JSON inside JSON (12 MiB: over it).
    const text = '"'.repeat(3 * 1024 * 1024);
    const { sdk, close } = await sdkThrough(t, guarded, {
      capabilities: { sampling: {} },
      beforeConnect: (client) =>
        client.setRequestHandler(CreateMessageRequestSchema, () => ({
          role: 'assistant',
          content: { type: 'text', text },
          model: 'm',
        })),
    });
    const step = stepper(sdk.stderr, STEP_MS);
    const call = sdk.client.callTool(
      { name: 'trigger-sampling-request', arguments: { prompt: 'quote me' } },
      undefined,
      { timeout: 15_000 },
    );
    await assert.rejects(step('oversized reply', call), (error: unknown) => {
      assert.ok(error instanceof McpError, String(error));
      assert.equal(
        error.code,
        -31053,
        `${error.message}; SDK errors: ${sdk.errors.map((e) => e.message.slice(0, 100)).join(' | ')}`,
      );
      return true;
    });
    const after = await step(
      'echo',
      sdk.client.callTool({ name: 'echo', arguments: { message: 'on' } }),
    );
    assert.equal(resultText(after), 'Echo: on');
    await close();
  },
);
