/**
 * Issue 10's classes 2, 3 and 7 end to end, with real clients — the SDK's and Cline's own — in
 * front of test/fixtures/hostile-output.mjs: a server that hides a token and invisible characters
 * everywhere a string can reach the model (class 2: docs/policy.md "What output means"), that
 * runs whatever tool `String(name)` names (class 3: docs/policy.md, the `params` check), and that
 * answers with 8,000 nested arrays or a run of unterminated escape introducers (class 7:
 * src/protocol/depth.ts, docs/policy.md `stripControl`). Each attack as the issue found it and
 * at least one other way; what the client gets is asserted whole where mcp-guard writes it.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  CallToolResultSchema,
  McpError,
  ReadResourceResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { clineThrough } from '../helpers/cline-client.js';
import { outputProblems } from '../helpers/fuzz-checks.js';
import {
  callsReceived,
  guardFixture,
  resultText,
  sdkThrough,
  waitAllGone,
} from '../helpers/guarded.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';

const TOKEN = `ghp_${'Hostile0Token1'.repeat(3)}`;
const RULES = { canary: TOKEN, denied: (name: string) => name === 'secret-tool' };

async function hostile(t: TestContext) {
  const dir = await testDir(t);
  return guardFixture(dir, 'hostile-output', [], {
    entry: { tools: { deny: ['secret-tool'] } },
  });
}

/** What a rejected SDK request carried: its code, message and data. */
async function rejection(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(
    () => assert.fail('the request was answered with a result'),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof McpError, String(error));
  return error;
}

const clean = (value: unknown, where: string) =>
  assert.deepEqual(outputProblems({ result: value }, RULES), [], where);

/** Cline's client in front of the hostile fixture through mcp-guard. */
async function clineHostile(t: TestContext) {
  const guarded = await hostile(t);
  return { guarded, ...(await clineThrough(t, guarded)) };
}

void test(
  'class 2, SDK client: no token or invisible character anywhere in the tool list, a result or an error',
  { timeout: 60_000 },
  async (t) => {
    const guarded = await hostile(t);
    const { sdk, step, close } = await sdkThrough(t, guarded);
    const { tools } = await step('listTools', sdk.client.listTools());
    clean(tools, 'tools/list');
    // Denied by the manifest, or named by a number or an array: not shown.
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['leak', 'fail', 'deep', 'osc'],
    );
    const leak = tools.find((tool) => tool.name === 'leak');
    // The property name loses its invisible characters; enum and default lose the token.
    assert.deepEqual(leak?.inputSchema.properties, {
      mode: { type: 'string', enum: ['a', '[REDACTED:github]'], default: '[REDACTED:github]' },
    });
    assert.equal(leak?.description, 'Returns its leaks. [REDACTED:github]');

    const result = await step('leak', sdk.client.callTool({ name: 'leak', arguments: {} }));
    clean(result, 'leak');
    const redacted = '[REDACTED:github]';
    assert.deepEqual(result, {
      _meta: { note: redacted },
      content: [
        // Split across two items: the first gets the marker, the rest leaves the second.
        { type: 'text', text: `first half ${redacted}` },
        { type: 'text', text: ' second half' },
        // Base64-encoded once.
        { type: 'text', text: `encoded ${redacted} end` },
        { name: redacted, uri: 'file:///tmp/x', description: redacted, type: 'resource_link' },
        { type: 'text', text: 'with _meta', _meta: { [redacted]: redacted } },
      ],
      structuredContent: { [redacted]: { nested: redacted } },
    });

    // The other way out: an error's message and data.
    const failed = await rejection(sdk.client.callTool({ name: 'fail', arguments: {} }));
    assert.deepEqual(
      [failed.code, failed.message, failed.data],
      [
        -32000,
        `MCP error -32000: failed: ${redacted}`,
        { detail: redacted, [redacted]: [redacted] },
      ],
    );
    await close();
  },
);

void test(
  "class 2, Cline's client: the tool list and a result it gets carry no token or invisible character",
  { timeout: 60_000 },
  async (t) => {
    const { cline, step } = await clineHostile(t);
    const tools = await step('listTools', cline.listTools());
    clean(tools, 'tools/list');
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['leak', 'fail', 'deep', 'osc'],
    );
    const result = await step('leak', cline.callTool('leak', {}));
    clean(result, 'leak');
    assert.equal(
      resultText(result),
      'first half [REDACTED:github] second halfencoded [REDACTED:github] endwith _meta',
    );
    await cline.close();
    await waitAllGone(
      cline.spawned.map((child) => child.pid),
      5000,
      cline.stderr,
    );
  },
);

void test(
  'class 3, SDK client: a non-string tool name or resource uri is refused -32602 (rule params) before any check, and never reaches the server',
  { timeout: 60_000 },
  async (t) => {
    const guarded = await hostile(t);
    const { sdk, step, close } = await sdkThrough(t, guarded);
    // As found: ["secret-tool"] passed the deny rule, and the server's String(name) ran it.
    const byArray = await rejection(
      sdk.client.request(
        { method: 'tools/call', params: { name: ['secret-tool'], arguments: {} } },
        CallToolResultSchema,
      ),
    );
    assert.equal(byArray.code, ErrorCode.InvalidParams);
    assert.equal(
      byArray.message,
      'MCP error -32602: Invalid params: tools/call: params.name must be a string, not an array',
    );
    assert.deepEqual(byArray.data, {
      rule: 'params',
      reason: 'tools/call: params.name must be a string, not an array',
      server: 'server',
    });
    // Another way: an object whose String() the server would take.
    const byObject = await rejection(
      sdk.client.request(
        { method: 'tools/call', params: { name: { toString: 'secret-tool' }, arguments: {} } },
        CallToolResultSchema,
      ),
    );
    assert.equal(
      (byObject.data as JsonObject).reason,
      'tools/call: params.name must be a string, not an object',
    );
    // And a resource: a uri in an array read outside the roots through new URL(String(uri)).
    const byUri = await rejection(
      sdk.client.request(
        { method: 'resources/read', params: { uri: ['file:///etc/passwd'] } },
        ReadResourceResultSchema,
      ),
    );
    assert.deepEqual(
      [byUri.code, (byUri.data as JsonObject).rule],
      [ErrorCode.InvalidParams, 'params'],
    );
    // The string spelling of the same call is refused by the deny rule, as a result.
    const denied = await step(
      'secret-tool',
      sdk.client.callTool({ name: 'secret-tool', arguments: {} }),
    );
    assert.match(resultText(denied), /^Blocked by mcp-guard: tools\.deny: /);
    assert.deepEqual(await callsReceived(guarded.recvLog), []);
    const refused = guarded.audit().filter((record) => record.rule === 'params');
    assert.equal(refused.length, 3, JSON.stringify(refused));
    await close();
  },
);

void test(
  "classes 3 and 7, Cline's client: a call with a non-string name and a reply 8,000 levels deep are refused, and Cline's session goes on",
  { timeout: 60_000 },
  async (t) => {
    const { guarded, cline, step } = await clineHostile(t);
    const refused = await cline.callTool(['secret-tool'] as unknown as string, {}).then(
      () => assert.fail('answered with a result'),
      (error: Error) => error,
    );
    assert.match(refused.message, /params\.name must be a string, not an array/);
    const deep = await cline.callTool('deep', { levels: 8000 }).then(
      () => assert.fail('answered with a result'),
      (error: Error) => error,
    );
    assert.match(deep.message, /nested deeper than 128 levels/);
    assert.equal(resultText(await step('osc', cline.callTool('osc', { count: 3 }))), 'done');
    assert.deepEqual(await callsReceived(guarded.recvLog), ['deep', 'osc']);
    await cline.close();
    await waitAllGone(
      cline.spawned.map((child) => child.pid),
      5000,
      cline.stderr,
    );
  },
);

void test(
  'class 7, SDK client: 8,000 nested arrays in a notification and a result end nothing; 2 MB of unterminated escapes are stripped',
  { timeout: 60_000 },
  async (t) => {
    const guarded = await hostile(t);
    const { sdk, step, close } = await sdkThrough(t, guarded);
    // As found: ~8,000 nested arrays (16 KB) overflowed the stack and ended mcp-guard.
    const deep = await rejection(
      sdk.client.callTool({ name: 'deep', arguments: { levels: 8000 } }),
    );
    assert.equal(deep.code, ErrorCode.InternalError);
    assert.deepEqual(deep.data, {
      rule: 'framing',
      reason: 'nested deeper than 128 levels of arrays and objects',
      server: 'server',
    });
    // Another way: stripping was quadratic on unterminated string introducers (180 KB took 4 s).
    const osc = await step(
      'osc',
      sdk.client.callTool({ name: 'osc', arguments: { count: 1_000_000 } }),
    );
    assert.equal(resultText(osc), 'done');
    await step('ping', sdk.client.ping());
    await close();
  },
);
