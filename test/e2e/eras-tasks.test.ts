/**
 * Tasks (2025-11-25's experimental tasks) through mcp-guard, with a real server: the SDK client
 * runs server-everything's task tool (`simulate-research-query`: a `tools/call` answered with a
 * task handle, `tasks/get` polled, the result fetched with `tasks/result`) and gets what it gets
 * directly; with a redaction pattern in the manifest, the task's result is redacted like a
 * `tools/call` result (docs/policy.md, Task results).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { nodeCommand } from '../helpers/fixtures.js';
import { guardCommand, resultText, sdkThrough } from '../helpers/guarded.js';
import { SERVER_EVERYTHING } from '../helpers/paths.js';
import { killAll, testDir } from '../helpers/processes.js';
import { connectSdk } from '../helpers/sdk-client.js';
import { waitFor } from '../helpers/wait.js';

/** Runs the task tool to its end; the messages' kinds in order, and the final result. */
async function runTask(client: Client, stderr: () => string) {
  const kinds: string[] = [];
  let result: unknown;
  const stream = client.experimental.tasks.callToolStream(
    { name: 'simulate-research-query', arguments: { topic: 'relays' } },
    undefined,
    { task: { ttl: 60_000 } },
  );
  const drain = async () => {
    for await (const message of stream) {
      if (kinds.at(-1) !== message.type) kinds.push(message.type);
      if (message.type === 'result') result = message.result;
      if (message.type === 'error') result = { error: String(message.error) };
    }
  };
  await waitFor(drain(), 30_000, () => `the task never ended; stderr:\n${stderr()}`);
  return { kinds, result };
}

void test(
  "2025-11-25 tasks through mcp-guard: server-everything's task tool as direct, its result redacted as a tool result",
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const server = nodeCommand(SERVER_EVERYTHING);
    const direct = await connectSdk({ ...server, timeoutMs: 20_000 });
    t.after(() => killAll([direct.pid]));
    const guarded = guardCommand(dir, server, {
      name: 'everything',
      entry: { output: { redact: ['Research Report'] } },
    });
    const through = await sdkThrough(t, guarded);

    const expected = await runTask(direct.client, direct.stderr);
    const actual = await runTask(through.sdk.client, through.sdk.stderr);
    assert.deepEqual(actual.kinds, expected.kinds);
    assert.equal(expected.kinds.at(-1), 'result', JSON.stringify(expected.result));
    assert.equal(expected.kinds[0], 'taskCreated');
    const text = resultText(expected.result);
    assert.match(text, /# Research Report: relays/);
    assert.equal(resultText(actual.result), text.replaceAll('Research Report', '[REDACTED]'));

    await direct.close();
    await through.close();
  },
);
