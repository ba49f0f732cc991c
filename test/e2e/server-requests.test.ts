/**
 * Traffic that is not request → reply, through mcp-guard: progress notifications reach the SDK's
 * `onprogress`; server→client requests reach a client that declared the capability, with their
 * ids unchanged, and its answers reach the server (undeclared ones: undeclared-requests.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  type CreateMessageResult,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { nodeCommand } from '../helpers/fixtures.js';
import {
  guardCommand,
  guardFixture,
  rawThrough,
  resultText,
  sdkThrough,
} from '../helpers/guarded.js';
import { SERVER_EVERYTHING } from '../helpers/paths.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';
import type { SdkConnection } from '../helpers/sdk-client.js';
import { waitFor } from '../helpers/wait.js';

const STEP_MS = 20_000;
const SAMPLED: CreateMessageResult = {
  role: 'assistant',
  content: { type: 'text', text: 'sampled by the test client' },
  model: 'test-model',
  stopReason: 'endTurn',
};

/** Counts onprogress calls until `expected` arrived (the SDK may run them after the reply). */
async function awaitProgress(sdk: SdkConnection, seen: unknown[], expected: number) {
  await waitFor(
    () => seen.length >= expected,
    STEP_MS,
    () => `saw ${seen.length} of ${expected} progress notifications; stderr:\n${sdk.stderr()}`,
  );
}

void test(
  'progress: the echo fixture’s notifications/progress reach the SDK’s onprogress through mcp-guard',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const { sdk, step, close } = await sdkThrough(t, guardFixture(dir, 'echo'));
    const seen: unknown[] = [];
    // Paced: the SDK itself drops progress that arrives in the same read as the reply.
    const done = await step(
      'progress',
      sdk.client.callTool(
        { name: 'progress', arguments: { count: 3, intervalMs: 50 } },
        undefined,
        {
          onprogress: (progress) => seen.push(progress),
        },
      ),
    );
    assert.equal(resultText(done), 'sent 3 progress notifications');
    await awaitProgress(sdk, seen, 3);
    assert.deepEqual(
      seen,
      [1, 2, 3].map((progress) => ({ progress, total: 3 })),
    );
    await close();
    assert.doesNotMatch(sdk.stderr(), /error/i);
  },
);

void test(
  'progress: server-everything’s long-running operation reports its steps through mcp-guard',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), { name: 'everything' });
    const { sdk, step, close } = await sdkThrough(t, guarded);
    const seen: Progress[] = [];
    const done = await step(
      'trigger-long-running-operation',
      sdk.client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 4 } },
        undefined,
        { onprogress: (progress) => seen.push(progress) },
      ),
    );
    assert.match(resultText(done), /completed/i);
    await awaitProgress(sdk, seen, 3);
    // The server sends its last step right before the reply; when both arrive in one read the
    // SDK itself drops that step as "unknown token" (it does so directly too, most of the time).
    const lastDropped = sdk.errors.some((error) =>
      /unknown token.*"progress":4,"total":4/.test(error.message),
    );
    assert.deepEqual(
      seen.map((progress) => [progress.progress, progress.total]),
      (lastDropped ? [1, 2, 3] : [1, 2, 3, 4]).map((n) => [n, 4]),
      sdk.errors.join('; '),
    );
    sdk.errors.splice(0, lastDropped ? 1 : 0);
    await close();
  },
);

void test(
  'sampling and elicitation reach an SDK client that declared them, and its answers reach the server',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const asked: JsonObject[] = [];
    const { sdk, step, close } = await sdkThrough(t, guardFixture(dir, 'echo'), {
      capabilities: { sampling: {}, elicitation: {} },
      beforeConnect: (client) => {
        client.setRequestHandler(CreateMessageRequestSchema, (request) => {
          asked.push(request.params);
          return SAMPLED;
        });
        client.setRequestHandler(ElicitRequestSchema, () => ({
          action: 'accept',
          content: { answer: 'yes' },
        }));
      },
    });
    const params = {
      messages: [{ role: 'user', content: { type: 'text', text: 'say something' } }],
      maxTokens: 5,
    };
    const sampled = await step(
      'ask-client sampling',
      sdk.client.callTool({
        name: 'ask-client',
        arguments: { method: 'sampling/createMessage', params },
      }),
    );
    assert.deepEqual(JSON.parse(resultText(sampled)), { result: SAMPLED });
    assert.deepEqual(asked, [params]);
    const elicited = await step(
      'ask-client elicitation',
      sdk.client.callTool({
        name: 'ask-client',
        arguments: {
          method: 'elicitation/create',
          params: {
            message: 'Proceed?',
            requestedSchema: { type: 'object', properties: { answer: { type: 'string' } } },
          },
        },
      }),
    );
    assert.deepEqual(JSON.parse(resultText(elicited)), {
      result: { action: 'accept', content: { answer: 'yes' } },
    });
    await close();
  },
);

void test(
  'sampling: server-everything’s trigger-sampling-request is answered by the SDK client through mcp-guard',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), { name: 'everything' });
    const prompts: string[] = [];
    const { sdk, step, close } = await sdkThrough(t, guarded, {
      capabilities: { sampling: {} },
      beforeConnect: (client) =>
        client.setRequestHandler(CreateMessageRequestSchema, (request) => {
          prompts.push(JSON.stringify(request.params.messages));
          return SAMPLED;
        }),
    });
    const reply = await step(
      'trigger-sampling-request',
      sdk.client.callTool({
        name: 'trigger-sampling-request',
        arguments: { prompt: 'relay me', maxTokens: 7 },
      }),
    );
    assert.match(resultText(reply), /sampled by the test client/);
    assert.equal(prompts.length, 1);
    assert.match(prompts[0]!, /relay me/);
    await close();
  },
);

void test(
  'a declared server request reaches the raw client with its id unchanged, and the answer reaches the server byte for byte',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo');
    const { raw, close } = await rawThrough(t, guarded);
    await raw.initialize({ sampling: {} });
    raw.send({
      jsonrpc: '2.0',
      id: 'call-1',
      method: 'tools/call',
      params: {
        name: 'ask-client',
        arguments: { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } },
      },
    });
    const request = await raw.nextLine();
    // The fixture numbers its own requests from 0: mcp-guard passes that id through.
    assert.deepEqual(request, {
      jsonrpc: '2.0',
      id: 0,
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 1 },
    });
    const answer =
      '{"jsonrpc":"2.0","id":0,"result":{"role":"assistant","content":{"type":"text","text":"hi"},"model":"m"}}';
    raw.send(answer);
    const reply = await raw.nextLine();
    assert.equal(reply.id, 'call-1', raw.stderr());
    assert.match(resultText(reply.result), /"text":"hi"/);
    const received = readFileSync(guarded.recvLog, 'utf8').split('\n');
    assert.ok(received.includes(answer), 'the answer reached the server unchanged');
    await close();
    assert.doesNotMatch(raw.stderr(), /error/i);
  },
);
