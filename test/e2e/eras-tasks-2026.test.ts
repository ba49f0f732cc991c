/**
 * The 2026-07-28 tasks extension (`io.modelcontextprotocol/tasks`) end to end: the v2 SDK's client
 * pinned to 2026-07-28, declaring the extension, in front of a v2 SDK server that runs its tools
 * as tasks (test/fixtures/task-server.mjs, the extension written by hand on the SDK's request
 * handlers), through the built CLI. A task is created, polled with tasks/get, and its result gets
 * the output checks of a tools/call result; a task that waits for input is held to `sampling`,
 * `elicitation` and `paths.roots` (docs/policy.md, "A task that waits for input").
 *
 * The v2 SDK (2.4) knows the extension's method names but not its results: its callTool rejects
 * a `resultType: "task"` handle, so the test reads the handle off the wire (a tap on the client's
 * transport) and drives tasks/get and tasks/update with the client's own request().
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { z } from 'zod';
import { nodeCommand, type CommandLine } from '../helpers/fixtures.js';
import { guardCommand, resultText, stepper } from '../helpers/guarded.js';
import type { JsonObject } from '../helpers/raw-client.js';
import { killAll, testDir, type TempDir } from '../helpers/processes.js';
import { FIXTURES } from '../helpers/paths.js';

const TASKS = 'io.modelcontextprotocol/tasks';
const LOOSE = z.looseObject({});
const SERVER = nodeCommand(`${FIXTURES}/task-server.mjs`);

type Task = JsonObject & { taskId: string; status: string };

/** The v2 client pinned to 2026-07-28 and declaring the tasks extension, launching `command`. */
async function connect(t: TestContext, command: CommandLine, env: Record<string, string>) {
  let stderr = '';
  const transport = new StdioClientTransport({ ...command, env, stderr: 'pipe' });
  transport.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const client = new Client(
    { name: 'eras-tasks-2026', version: '0.0.0' },
    {
      capabilities: {
        sampling: {},
        elicitation: { form: {} },
        roots: {},
        extensions: { [TASKS]: {} },
      },
      versionNegotiation: { mode: { pin: '2026-07-28' } },
    },
  );
  const step = stepper(() => stderr);
  await step('connect', client.connect(transport));
  const pid = transport.pid;
  t.after(async () => {
    await client.close().catch(() => undefined);
    if (pid !== null) killAll([pid]);
  });
  const handles: Task[] = [];
  const received = transport.onmessage;
  transport.onmessage = (message) => {
    const result = (message as { result?: JsonObject }).result;
    if (result?.resultType === 'task') handles.push(result as Task);
    received?.(message);
  };
  /** Calls a tool the server runs as a task: its handle, as it came. */
  const start = async (name: string, args: Record<string, unknown> = {}): Promise<Task> => {
    await assert.rejects(
      step(`call ${name}`, client.callTool({ name, arguments: args })),
      /Unsupported result type 'task'/,
    );
    const handle = handles.shift();
    assert.ok(handle !== undefined, `no task handle; stderr:\n${stderr}`);
    return handle;
  };
  const get = async (taskId: string) =>
    (await step(
      'tasks/get',
      client.request({ method: 'tasks/get', params: { taskId } }, LOOSE),
    )) as Task;
  const update = (taskId: string, inputResponses: JsonObject) =>
    step(
      'tasks/update',
      client.request({ method: 'tasks/update', params: { taskId, inputResponses } }, LOOSE),
    );
  return { client, start, get, update, step, stderr: () => stderr };
}

/** The fixture behind mcp-guard with this entry; its TASK_LOG read back. */
async function guarded(t: TestContext, entry: JsonObject) {
  const dir = await testDir(t);
  const taskLog = dir.join('tasks.jsonl');
  const guard = guardCommand(dir, SERVER, { name: 'tasks', entry, env: { TASK_LOG: taskLog } });
  const peer = await connect(t, guard.command, guard.env);
  return { ...peer, dir, guard, log: () => readLog(taskLog) };
}

function readLog(file: string): JsonObject[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonObject);
}

/** Polls until the task leaves `working`; the statuses seen. */
async function settle(get: (taskId: string) => Promise<Task>, taskId: string) {
  const seen: string[] = [];
  let task: Task;
  do {
    task = await get(taskId);
    seen.push(task.status);
  } while (task.status === 'working' && seen.length < 10);
  return { task, seen };
}

void test(
  '2026-07-28 tasks through mcp-guard: created, polled with tasks/get as directly; the result redacted and held to the outputSchema as a tool result; a denied tool makes no task',
  { timeout: 120_000 },
  async (t) => {
    const dir: TempDir = await testDir(t);
    const direct = await connect(t, SERVER, {
      PATH: process.env.PATH ?? '',
      TASK_LOG: dir.join('direct.jsonl'),
    });
    const through = await guarded(t, {
      tools: { deny: ['denied'] },
      output: { redact: ['(?:classified)'] },
    });
    // Only directly: through mcp-guard, what it knows of the tools (the outputSchema below) comes
    // from its own listing, which a client that sent no server/discover leaves it to do unaided.
    await direct.client.listTools();

    const expected = await direct.start('report', { text: 'classified report' });
    const actual = await through.start('report', { text: 'classified report' });
    assert.deepEqual(
      { ...actual, _meta: undefined },
      { ...expected, _meta: undefined },
      'the handle as directly',
    );
    const want = await settle(direct.get, expected.taskId);
    const got = await settle(through.get, actual.taskId);
    assert.deepEqual(got.seen, want.seen);
    assert.deepEqual(want.seen, ['working', 'completed']);
    assert.equal(resultText(want.task.result), 'classified report');
    assert.equal(resultText(got.task.result), '[REDACTED] report');
    assert.deepEqual((got.task.result as JsonObject).structuredContent, { lines: 1 });

    const bad = await through.start('bad_report');
    const refused = (await settle(through.get, bad.taskId)).task;
    assert.equal(refused.status, 'completed');
    assert.equal((refused.result as JsonObject).isError, true);
    assert.match(resultText(refused.result), /^Blocked by mcp-guard: outputSchema: /);

    const denied = await through.step(
      'call denied',
      through.client.callTool({ name: 'denied', arguments: {} }),
    );
    assert.equal((denied as JsonObject).isError, true);
    assert.match(resultText(denied), /^Blocked by mcp-guard: /);
    // The server offers no prompts: mcp-guard's own prompts/list is answered -32601, which is no
    // failed listing.
    assert.deepEqual(
      through.guard.audit().filter((record) => record.event === 'policy.listing'),
      [],
    );
  },
);

void test(
  '2026-07-28 task waiting for input, elicitation: deny and paths.roots: the client sees only what it may answer; the server gets the decline and the manifest’s roots, never the client’s',
  { timeout: 120_000 },
  async (t) => {
    const peer = await guarded(t, {
      elicitation: 'deny',
      paths: { roots: ['${workspaceFolder}'] },
    });
    const handle = await peer.start('ask', { ask: ['name', 'where', 'model'] });
    const asking = await peer.get(handle.taskId);
    assert.equal(asking.status, 'input_required');
    assert.deepEqual(
      Object.keys(asking.inputRequests as JsonObject),
      ['model'],
      'only sampling reaches the client',
    );
    await peer.update(handle.taskId, {
      model: { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' },
      name: { action: 'accept', content: { name: 'Mallory' } },
      where: { roots: [{ uri: 'file:///', name: 'everything' }] },
      smuggled: { action: 'accept', content: {} },
    });
    const done = await peer.get(handle.taskId);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const answers = JSON.parse(resultText(done.result)) as Record<string, JsonObject>;
    const roots = [
      { uri: pathToFileURL(peer.dir.path).href, name: peer.dir.path.split('/').pop() },
    ];
    assert.deepEqual(answers.name, { action: 'decline' });
    assert.deepEqual(answers.where, { roots });
    assert.equal((answers.model as { model?: string }).model, 'm');
    // mcp-guard's own update came first; the client's carries mcp-guard's answers, not its own.
    const updates = peer.log().filter((line) => line.method === 'tasks/update');
    assert.deepEqual(updates[0]?.inputResponses, { name: { action: 'decline' }, where: { roots } });
    const client = updates[1]?.inputResponses as JsonObject;
    assert.deepEqual(Object.keys(client).sort(), ['model', 'name', 'where']);
    assert.deepEqual(client.name, { action: 'decline' });
    assert.deepEqual(client.where, { roots });
  },
);

void test(
  '2026-07-28 task waiting for input, sampling: deny: shown completed with the refusal, cancelled at the server; the client is never asked',
  { timeout: 120_000 },
  async (t) => {
    const peer = await guarded(t, { sampling: 'deny' });
    const handle = await peer.start('ask', { ask: ['model'] });
    const task = await peer.get(handle.taskId);
    assert.equal(task.status, 'completed');
    assert.equal('inputRequests' in task, false);
    assert.equal((task.result as JsonObject).isError, true);
    assert.match(resultText(task.result), /^Blocked by mcp-guard: sampling: /);
    await peer.guard.waitForAudit(
      (record) =>
        record.event === 'policy.deny' &&
        record.rule === 'sampling' &&
        String(record.reason).includes('input request'),
      10_000,
      peer.stderr,
    );
    const again = await peer.get(handle.taskId);
    assert.equal(again.status, 'cancelled', 'the server was told to cancel it');
    assert.deepEqual(
      peer.log().map((line) => line.method),
      ['tasks/cancel'],
    );
  },
);
