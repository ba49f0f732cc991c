/**
 * Junk from the server never reaches the client (SPEC 6.1–6.2): noise on stdout, lines that are
 * not JSON-RPC, and responses to ids nobody asked for are dropped and audited as `rpc.invalid`,
 * while every real reply gets through. Directly, the SDK reports each such line through onerror
 * and Cline's client drops the connection (test/contract/harness-direct.test.ts); through
 * mcp-guard, nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { guardFixture, rawThrough, resultText, sdkThrough } from '../helpers/guarded.js';
import { FIXTURES } from '../helpers/paths.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject, RawChild } from '../helpers/raw-client.js';

const STEP_MS = 20_000;

/** test/fixtures/lib/junk.mjs: each kind of junk line, as a function of the reply's id. */
type JunkKinds = Record<string, (id: unknown) => string | Buffer>;
const loadJunk = async (): Promise<JunkKinds> =>
  ((await import(pathToFileURL(join(FIXTURES, 'lib', 'junk.mjs')).href)) as { junk: JunkKinds })
    .junk;
/** Kinds that do not pretend to answer the call (the other two reuse its id). */
const UNRELATED = [
  'text',
  'ansi',
  'json-object',
  'json-array',
  'json-number',
  'json-null',
  'half-json',
  'batch',
  'invalid-utf8',
  'wrong-version',
  'no-version',
];

const callEcho = (id: number, text: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
});

const invalidFromServer = (records: JsonObject[]) =>
  records.filter((r) => r.event === 'rpc.invalid' && r.direction === 'server-to-client');
const sorted = (numbers: unknown[]) => [...numbers].sort((a, b) => Number(a) - Number(b));

void test(
  'stdout-noise through mcp-guard: every SDK call succeeds, onerror never fires, each noise line is audited',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'stdout-noise');
    const { sdk, step, close } = await sdkThrough(t, guarded);
    for (const text of ['one', 'two', 'three']) {
      const reply = await step(text, sdk.client.callTool({ name: 'echo', arguments: { text } }));
      assert.equal(resultText(reply), text);
    }
    const { tools } = await step('tools/list', sdk.client.listTools());
    assert.ok(tools.some((tool) => tool.name === 'echo'));
    await close(); // requires sdk.errors to be empty: onerror never fired

    // Three lines at start, then five before each reply the server wrote: to the client's five
    // requests and to mcp-guard's own tools/list (one page).
    const records = guarded.audit();
    const replies = records.filter((r) => r.event === 'rpc.response').length;
    assert.equal(replies, 5, 'initialize, three calls, tools/list');
    assert.equal(invalidFromServer(records).length, 3 + 5 * (replies + 1));
    assert.doesNotMatch(sdk.stderr(), /error/i);
  },
);

void test(
  'bad-frames through mcp-guard: every kind of junk line is dropped and audited, the calls succeed',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const junk = await loadJunk();
    const guarded = guardFixture(dir, 'bad-frames');
    const { sdk, step, close } = await sdkThrough(t, guarded);
    for (const kind of UNRELATED) {
      const reply = await step(
        kind,
        sdk.client.callTool({ name: 'junk', arguments: { kinds: [kind] } }),
      );
      assert.equal(resultText(reply), 'wrote 1 junk lines', kind);
    }
    const all = await step(
      'all at once',
      sdk.client.callTool({ name: 'junk', arguments: { kinds: UNRELATED } }),
    );
    assert.equal(resultText(all), `wrote ${UNRELATED.length} junk lines`);
    await close(); // requires sdk.errors to be empty: onerror never fired

    // One record per junk line, each the size of that line.
    const expectedSizes = [...UNRELATED, ...UNRELATED].map((kind) =>
      Buffer.byteLength(junk[kind]!(null)),
    );
    const records = invalidFromServer(guarded.audit());
    assert.deepEqual(sorted(records.map((r) => r.size)), sorted(expectedSizes));
  },
);

/** Sends tools/call `junk` with `kinds` and returns every message up to the next ping's reply. */
async function junkThenPing(raw: RawChild, id: number, kinds: string[]): Promise<JsonObject[]> {
  raw.send({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'junk', arguments: { kinds } },
  });
  // The real reply follows the junk at once; the ping is sent only after something came back.
  const seen = [await raw.nextLine(STEP_MS)];
  raw.send({ jsonrpc: '2.0', id: `after-${id}`, method: 'ping' });
  for (;;) {
    const message = await raw.nextLine(STEP_MS);
    if (message.id === `after-${id}`) return seen;
    seen.push(message);
  }
}

void test(
  'a broken response carrying the call’s id answers that call with -32603; the late real reply is dropped',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'bad-frames');
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();
    for (const [id, kind] of [
      [21, 'result-and-error'],
      [22, 'string-error'],
    ] as const) {
      const seen = await junkThenPing(raw, id, [kind]);
      assert.deepEqual(
        seen.map((m) => [m.id, (m.error as JsonObject | undefined)?.code]),
        [[id, -32603]],
        `${kind}: ${JSON.stringify(seen)}`,
      );
    }
    const echoed = await raw.request('tools/call', { name: 'echo', arguments: { text: 'fine' } });
    assert.equal(resultText(echoed.result), 'fine');
    await close(); // every stdout line was a JSON-RPC message
    assert.doesNotMatch(raw.stderr(), /error/i);
  },
);

void test(
  'unknown-id: responses to ids nobody asked for are dropped, the client gets only its own reply',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'unknown-id');
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();
    for (const id of [1001, 1002, 1003]) {
      // The strays come first, then the reply: the first line must be the reply itself.
      raw.send(callEcho(id, `t${id}`));
      const reply = await raw.nextLine(STEP_MS);
      assert.deepEqual([reply.id, resultText(reply.result)], [id, `t${id}`], JSON.stringify(reply));
      raw.send({ jsonrpc: '2.0', id: `p${id}`, method: 'ping' });
      assert.equal((await raw.nextLine(STEP_MS)).id, `p${id}`, 'nothing else came in between');
    }
    await close();
    const dropped = invalidFromServer(guarded.audit()).map((r) => r.id);
    assert.deepEqual(dropped, [
      424242,
      'nobody-asked',
      424242,
      'nobody-asked',
      424242,
      'nobody-asked',
    ]);
    assert.doesNotMatch(raw.stderr(), /error/i);
  },
);

void test(
  'unknown-id with UNKNOWN_ID_DUPLICATE=1: a second reply to an answered id is dropped too',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'unknown-id', [], { env: { UNKNOWN_ID_DUPLICATE: '1' } });
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize();
    raw.send(callEcho(7, 'once'));
    const reply = await raw.nextLine(STEP_MS);
    assert.deepEqual([reply.id, resultText(reply.result)], [7, 'once'], JSON.stringify(reply));
    // The duplicate was written right after the reply, so before the ping's answer.
    raw.send({ jsonrpc: '2.0', id: 'after', method: 'ping' });
    assert.equal((await raw.nextLine(STEP_MS)).id, 'after', 'the duplicate was dropped');
    await close();
    const dropped = invalidFromServer(guarded.audit()).map((r) => r.id);
    assert.deepEqual(dropped, [424242, 'nobody-asked', 7]);
  },
);
