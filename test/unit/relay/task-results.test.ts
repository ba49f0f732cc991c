import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import { createResultSizeChecks } from '../../../src/policy/output/result-size.js';
import { createSanitizeCheck } from '../../../src/policy/output/sanitize.js';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { createSchemaCompiler } from '../../../src/policy/schema/compiler.js';
import { createOutputSchemaCheck } from '../../../src/policy/schema/output-schema.js';
import { ToolSchemas } from '../../../src/policy/schema/tool-schemas.js';
import { completedTaskResult, taskHandleId } from '../../../src/policy/task-shapes.js';
import { Relay } from '../../../src/relay/relay.js';
import { TaskCalls } from '../../../src/relay/task-results.js';
import { lineReader } from '../../helpers/lines.js';

type Line = Record<string, unknown> & { result?: Record<string, unknown> };

const lines = (stream: PassThrough) => lineReader<Line>(stream);

const SECRET = 'AKIAABCDEFGHIJKLMNOP';
const MAX = 2000;

/** A relay with the output checks a tools/call result gets, and a server that lists one tool. */
async function setup() {
  const sizes = createResultSizeChecks(MAX);
  const pipeline = createPipeline([
    sizes.first,
    createOutputSchemaCheck(new ToolSchemas(createSchemaCompiler())),
    createSanitizeCheck({ stripControl: true, redact: ['aws'] })!,
    sizes.last,
  ]);
  const clientIn = new PassThrough();
  const clientOut = new PassThrough();
  const denials: string[] = [];
  const audit: AuditSink = {
    bodies: false,
    record: (_server, event) => {
      if (event.name === 'policy.deny') denials.push(String(event.fields.rule));
    },
  };
  const relay = new Relay({
    server: 'test',
    client: { input: clientIn, output: clientOut },
    maxMessageBytes: 1 << 20,
    audit,
    pipeline,
    callTimeout: 60_000,
  });
  const io = { input: new PassThrough(), output: new PassThrough() };
  relay.attachServer(io);
  const toServer = lines(io.output);
  const toClient = lines(clientOut);
  /** The client asks, the server answers `result`: what the client gets. */
  const exchange = async (method: string, params: unknown, result: unknown): Promise<Line> => {
    const id = Math.random();
    clientIn.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    await toServer();
    io.input.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
    return toClient();
  };
  await exchange(
    'tools/list',
    {},
    {
      tools: [
        {
          name: 'count',
          inputSchema: { type: 'object' },
          outputSchema: {
            type: 'object',
            properties: { n: { type: 'number' } },
            required: ['n'],
          },
        },
      ],
    },
  );
  return { exchange, denials };
}

const call = { name: 'count', arguments: {}, task: { ttl: 60_000 } };

void test('task shapes: handles of both eras, and a completed 2026 task result', () => {
  assert.equal(taskHandleId({ task: { taskId: 't1', status: 'working' } }), 't1');
  assert.equal(taskHandleId({ resultType: 'task', taskId: 't2', status: 'working' }), 't2');
  assert.equal(taskHandleId({ content: [], task: { taskId: 'x' } }), undefined);
  assert.equal(taskHandleId({ content: [] }), undefined);
  assert.deepEqual(completedTaskResult({ status: 'completed', result: { content: [] } }), {
    content: [],
  });
  assert.equal(completedTaskResult({ status: 'working' }), undefined);
});

void test('TaskCalls forgets the oldest past its bound; an unknown task is a call of no known tool', () => {
  const calls = new TaskCalls();
  for (let i = 0; i <= 1000; i += 1) calls.learn(`t${i}`, { name: `tool${i}` });
  assert.deepEqual(calls.callOf('t0'), { method: 'tools/call', params: {} });
  assert.deepEqual(calls.callOf('t1000'), { method: 'tools/call', params: { name: 'tool1000' } });
  assert.deepEqual(calls.callOf(7), { method: 'tools/call', params: {} });
});

void test('2025-11-25: the task handle of a tool with an outputSchema passes; tasks/result gets the checks of the call', async () => {
  const t = await setup();
  const handle = await t.exchange('tools/call', call, {
    task: { taskId: 'T1', status: 'working', createdAt: '2025-11-25T10:30:00Z', ttl: 60_000 },
  });
  assert.equal((handle.result!.task as { taskId: string }).taskId, 'T1', 'not refused');
  // Redacted, like a tools/call result.
  const clean = await t.exchange(
    'tasks/result',
    { taskId: 'T1' },
    {
      content: [{ type: 'text', text: `key ${SECRET}` }],
      structuredContent: { n: 1 },
    },
  );
  assert.deepEqual(clean.result!.content, [{ type: 'text', text: 'key [REDACTED:aws]' }]);
  // Checked against the tool's outputSchema: refused as the tool call it answers.
  const bad = await t.exchange(
    'tasks/result',
    { taskId: 'T1' },
    {
      content: [{ type: 'text', text: 'n' }],
      structuredContent: { n: 'one' },
    },
  );
  assert.equal(bad.result!.isError, true);
  assert.match(
    (bad.result!.content as { text: string }[])[0]!.text,
    /^Blocked by mcp-guard: outputSchema: /,
  );
  assert.deepEqual(t.denials, ['outputSchema']);
  // Cut to maxResultBytes, like a tools/call result (not refused whole).
  const big = await t.exchange(
    'tasks/result',
    { taskId: 'T1' },
    {
      content: [{ type: 'text', text: 'x'.repeat(5000) }],
      structuredContent: { n: 2 },
    },
  );
  assert.ok(JSON.stringify(big).length <= MAX + 100);
  assert.match(JSON.stringify(big.result!.content), /mcp-guard cut this result/);
});

void test('2026 tasks extension: a completed tasks/get has its result judged as the tool call', async () => {
  const t = await setup();
  const handle = await t.exchange('tools/call', call, {
    resultType: 'task',
    taskId: 'T2',
    status: 'working',
  });
  assert.equal(handle.result!.taskId, 'T2');
  const working = await t.exchange(
    'tasks/get',
    { taskId: 'T2' },
    {
      resultType: 'complete',
      taskId: 'T2',
      status: 'working',
      statusMessage: `uses ${SECRET}`,
    },
  );
  assert.equal(working.result!.statusMessage, 'uses [REDACTED:aws]');
  const done = {
    resultType: 'complete',
    taskId: 'T2',
    status: 'completed',
    statusMessage: `done ${SECRET}`,
  };
  const clean = await t.exchange(
    'tasks/get',
    { taskId: 'T2' },
    {
      ...done,
      result: {
        resultType: 'complete',
        content: [{ type: 'text', text: SECRET }],
        structuredContent: { n: 3 },
      },
    },
  );
  assert.equal(clean.result!.statusMessage, 'done [REDACTED:aws]');
  assert.deepEqual(clean.result!.result, {
    resultType: 'complete',
    content: [{ type: 'text', text: '[REDACTED:aws]' }],
    structuredContent: { n: 3 },
  });
  const bad = await t.exchange(
    'tasks/get',
    { taskId: 'T2' },
    {
      ...done,
      result: { resultType: 'complete', content: [], structuredContent: { n: 'three' } },
    },
  );
  assert.equal(bad.result!.status, 'completed');
  const refused = bad.result!.result as {
    isError: boolean;
    resultType: string;
    content: { text: string }[];
  };
  assert.equal(refused.isError, true);
  assert.equal(refused.resultType, 'complete');
  assert.match(refused.content[0]!.text, /^Blocked by mcp-guard: outputSchema: /);
  assert.deepEqual(t.denials, ['outputSchema']);
});
