/**
 * A server→client request for a capability the client did not declare in `initialize` (SPEC
 * 6.2) is answered by mcp-guard and never reaches the client, whichever client it is; and
 * roots/list is answered per SPEC 5 when the manifest sets `paths.roots`.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { guardFixture, rawThrough, resultText, sdkThrough } from '../helpers/guarded.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/wait.js';

const STEP_MS = 20_000;
const METHODS = ['sampling/createMessage', 'elicitation/create'];

/** Calls the fixture's `responses` tool until the server has its answer to each request. */
async function answersToServer(
  call: () => Promise<unknown>,
  count: number,
  stderr: () => string,
): Promise<{ method: string; response: JsonObject }[]> {
  return waitFor(
    async () => {
      const list = JSON.parse(resultText(await call())) as {
        method: string;
        response: JsonObject;
      }[];
      return list.length === count ? list : undefined;
    },
    STEP_MS,
    () => `the server never got its ${count} answers; stderr:\n${stderr()}`,
  );
}

const errorCode = (response: JsonObject) => (response.error as JsonObject | undefined)?.code;

void test(
  'undeclared sampling and elicitation: mcp-guard answers -32601, the SDK client never sees them',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'undeclared-request', METHODS);
    const reached: string[] = [];
    const { sdk, step, close } = await sdkThrough(t, guarded, {
      // Any request without a handler of its own would land here (the SDK's own fallback).
      beforeConnect: (client) => {
        client.fallbackRequestHandler = (request) => {
          reached.push(request.method);
          return Promise.resolve({});
        };
      },
    });
    const call = () => sdk.client.callTool({ name: 'responses', arguments: {} });
    for (const { method, response } of await answersToServer(call, 2, sdk.stderr))
      assert.equal(errorCode(response), -32601, `${method}: ${JSON.stringify(response)}`);
    const denied = guarded.audit().filter((record) => record.rule === 'client-capability');
    assert.deepEqual(denied.map((record) => record.method).sort(), [...METHODS].sort());
    assert.ok(denied.every((record) => record.event === 'policy.deny'));
    const echoed = await step(
      'echo',
      sdk.client.callTool({ name: 'echo', arguments: { text: 'k' } }),
    );
    assert.equal(resultText(echoed), 'k');
    assert.deepEqual(reached, [], 'no server request reached the client');
    await close();
  },
);

void test(
  'a client declaring sampling only: sampling reaches it, elicitation is answered by mcp-guard',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'undeclared-request', METHODS);
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize({ sampling: {} });
    const request = await raw.nextLine(STEP_MS);
    assert.equal(request.method, 'sampling/createMessage', JSON.stringify(request));
    raw.send({
      jsonrpc: '2.0',
      id: request.id,
      result: { role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' },
    });
    const call = async () =>
      (await raw.request('tools/call', { name: 'responses', arguments: {} })).result;
    const answers = new Map(
      (await answersToServer(call, 2, raw.stderr)).map(({ method, response }) => [
        method,
        response,
      ]),
    );
    assert.equal(errorCode(answers.get('elicitation/create')!), -32601);
    assert.equal((answers.get('sampling/createMessage')!.result as JsonObject).model, 'm');
    assert.deepEqual(raw.skipped, [], 'no other request reached the client');
    await close();
  },
);

void test(
  'undeclared requests never appear on the raw client’s stdout',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'undeclared-request', METHODS);
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize({});
    const call = async () =>
      (await raw.request('tools/call', { name: 'responses', arguments: {} })).result;
    assert.equal((await answersToServer(call, 2, raw.stderr)).length, 2);
    assert.deepEqual(raw.skipped, [], 'nothing but the replies reached the client');
    assert.deepEqual(raw.buffered(), { lines: 0, partialBytes: 0 });
    await close();
  },
);

void test(
  'roots/list with paths.roots empty: mcp-guard answers -32601 for a client without roots',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'undeclared-request', ['roots/list'], {
      entry: { paths: { roots: [] } },
    });
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize({});
    const call = async () =>
      (await raw.request('tools/call', { name: 'responses', arguments: {} })).result;
    const [answer] = await answersToServer(call, 1, raw.stderr);
    assert.equal(errorCode(answer!.response), -32601, JSON.stringify(answer));
    assert.deepEqual(raw.skipped, []);
    await close();
  },
);

void test(
  'SPEC 5: with paths.roots set, mcp-guard declares roots to the server and answers roots/list with them',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const workspace = dir.join('workspace');
    await mkdir(workspace);
    const guarded = guardFixture(dir, 'undeclared-request', ['roots/list'], {
      entry: { paths: { roots: [workspace] } },
    });
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize({});
    const call = async () =>
      (await raw.request('tools/call', { name: 'responses', arguments: {} })).result;
    const [answer] = await answersToServer(call, 1, raw.stderr);
    assert.deepEqual(raw.skipped, [], 'roots/list never reached the client');
    await close();
    const [initialize] = (await readFile(guarded.recvLog, 'utf8')).split('\n');
    const capabilities = (JSON.parse(initialize!) as { params: { capabilities: JsonObject } })
      .params.capabilities;
    const result = answer!.response.result as { roots?: { uri: string }[] } | undefined;
    assert.deepEqual(
      {
        rootsDeclaredToServer: capabilities.roots !== undefined,
        roots: result?.roots?.map((root) => root.uri),
      },
      { rootsDeclaredToServer: true, roots: [pathToFileURL(workspace).href] },
      `the server's roots/list got ${JSON.stringify(answer!.response)}`,
    );
  },
);
