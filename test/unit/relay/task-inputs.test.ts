/**
 * A 2026 task that waits for input (tasks extension), through a real relay with the input checks
 * of server-pipeline.ts: what the client is shown, what mcp-guard sends the server of its own
 * (a `tasks/update` with its answers, a `tasks/cancel` of a refused task), and the extension's
 * `notifications/tasks`, judged as a `tasks/get` of its task.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import {
  createInputSealCheck,
  createInputShapeCheck,
  createInputUnsealCheck,
} from '../../../src/policy/inputs/input-checks.js';
import { createRequestStates } from '../../../src/policy/inputs/request-state.js';
import { createResultTypeCheck } from '../../../src/policy/output/result-type.js';
import { createSanitizeCheck } from '../../../src/policy/output/sanitize.js';
import { createPipeline, type PolicyCheck } from '../../../src/policy/pipeline.js';
import { createRootsCheck } from '../../../src/policy/roots.js';
import { createServerRequestsCheck } from '../../../src/policy/server-requests.js';
import { Relay } from '../../../src/relay/relay.js';
import { lineReader } from '../../helpers/lines.js';

type Line = Record<string, unknown> & { result?: Record<string, unknown> };

const lines = (stream: PassThrough) => lineReader<Line>(stream);

const SECRET = 'AKIAABCDEFGHIJKLMNOP';
const ROOT = '/work/project';
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {
    sampling: {},
    elicitation: { form: {} },
    roots: {},
    extensions: { 'io.modelcontextprotocol/tasks': {} },
  },
};
const ELICIT = {
  method: 'elicitation/create',
  params: { mode: 'form', message: 'Name?', requestedSchema: { type: 'object' } },
};
const SAMPLE = { method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } };
const ROOTS = { method: 'roots/list' };
const TASK = {
  taskId: 'T1',
  createdAt: '2026-08-01T10:00:00Z',
  lastUpdatedAt: '2026-08-01T10:00:00Z',
  ttlMs: 60_000,
};

function setup(rules: { sampling?: 'deny'; elicitation?: 'deny'; roots?: string[] }) {
  const states = createRequestStates();
  const checks: PolicyCheck[] = [createInputShapeCheck(), createInputSealCheck(states)];
  if (rules.roots !== undefined) checks.push(createRootsCheck(rules.roots, states));
  const requests = createServerRequestsCheck(
    { sampling: rules.sampling ?? 'allow', elicitation: rules.elicitation ?? 'allow' },
    states,
  );
  if (requests !== undefined) checks.push(requests);
  checks.push(createInputUnsealCheck(states));
  checks.push(createSanitizeCheck({ stripControl: true, redact: ['aws'] })!);
  checks.push(createResultTypeCheck());
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
    pipeline: createPipeline(checks),
    callTimeout: 60_000,
  });
  const io = { input: new PassThrough(), output: new PassThrough() };
  relay.attachServer(io);
  const toServer = lines(io.output);
  const toClient = lines(clientOut);
  let next = 0;
  const send = (method: string, params: Record<string, unknown>) => {
    const id = (next += 1);
    clientIn.write(
      `${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } })}\n`,
    );
    return id;
  };
  /** The client asks, the server answers `result`: what the client gets. */
  const exchange = async (method: string, params: Record<string, unknown>, result: unknown) => {
    const id = send(method, params);
    const got = await toServer();
    assert.equal(got.id, id);
    io.input.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
    return toClient();
  };
  const notify = (params: unknown) =>
    io.input.write(
      `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tasks', params })}\n`,
    );
  /** The server answers mcp-guard's own request. */
  const ack = (own: Line) =>
    io.input.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: own.id, result: { resultType: 'complete' } })}\n`,
    );
  return { exchange, send, notify, ack, toServer, toClient, denials, close: () => relay.close() };
}

type Setup = ReturnType<typeof setup>;

async function created(t: Setup) {
  const handle = await t.exchange(
    'tools/call',
    { name: 'deploy', arguments: {} },
    { resultType: 'task', status: 'working', ...TASK },
  );
  assert.equal(handle.result!.taskId, 'T1');
}

void test('a task waiting for input: the client sees what it may answer; mcp-guard answers the rest in a tasks/update of its own, once', async () => {
  const t = setup({ elicitation: 'deny', roots: [ROOT] });
  await created(t);
  const asking = {
    resultType: 'complete',
    status: 'input_required',
    ...TASK,
    inputRequests: { who: ELICIT, where: ROOTS, model: SAMPLE },
  };
  const seen = await t.exchange('tasks/get', { taskId: 'T1' }, asking);
  assert.deepEqual(seen.result!.inputRequests, { model: SAMPLE });
  const own = await t.toServer();
  assert.equal(own.method, 'tasks/update');
  assert.match(String(own.id), /^mcp-guard/);
  const params = own.params as Record<string, unknown>;
  assert.equal(params.taskId, 'T1');
  assert.deepEqual(params.inputResponses, {
    who: { action: 'decline' },
    where: { roots: [{ uri: pathToFileURL(ROOT).href, name: 'project' }] },
  });
  t.ack(own);
  // Polled again, the same snapshot: nothing more is sent of mcp-guard's own.
  await t.exchange('tasks/get', { taskId: 'T1' }, asking);
  // The client answers what it was asked; its answers to the others never reach the server.
  const id = t.send('tasks/update', {
    taskId: 'T1',
    inputResponses: {
      model: { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' },
      who: { action: 'accept', content: { name: 'x' } },
      never: { action: 'accept' },
    },
  });
  const update = await t.toServer();
  assert.equal(update.id, id, 'the next line the server gets is the client’s own update');
  assert.deepEqual(
    Object.keys((update.params as { inputResponses: object }).inputResponses).sort(),
    ['model', 'where', 'who'],
  );
  assert.deepEqual(
    (update.params as { inputResponses: Record<string, unknown> }).inputResponses.who,
    { action: 'decline' },
  );
  t.close();
});

void test('a task that asks for sampling under sampling: deny is shown completed with the refusal, and cancelled at the server once', async () => {
  const t = setup({ sampling: 'deny' });
  await created(t);
  const asking = {
    resultType: 'complete',
    status: 'input_required',
    statusMessage: 'thinking',
    ...TASK,
    inputRequests: { model: SAMPLE },
  };
  const seen = await t.exchange('tasks/get', { taskId: 'T1' }, asking);
  const task = seen.result!;
  assert.equal(task.status, 'completed');
  assert.equal(task.resultType, 'complete');
  assert.equal(task.taskId, 'T1');
  assert.equal('inputRequests' in task, false);
  const refused = task.result as {
    isError: boolean;
    resultType: string;
    content: { text: string }[];
  };
  assert.equal(refused.isError, true);
  assert.equal(refused.resultType, 'complete');
  assert.match(refused.content[0]!.text, /^Blocked by mcp-guard: sampling: /);
  const cancel = await t.toServer();
  assert.equal(cancel.method, 'tasks/cancel');
  assert.equal((cancel.params as { taskId: string }).taskId, 'T1');
  t.ack(cancel);
  await t.exchange('tasks/get', { taskId: 'T1' }, asking);
  const id = t.send('tasks/get', { taskId: 'T1' });
  assert.equal((await t.toServer()).id, id, 'cancelled once');
  // The capability withheld from the server (once), then each poll's refusal.
  assert.deepEqual(t.denials, ['sampling', 'sampling', 'sampling']);
  t.close();
});

void test('notifications/tasks is judged as a tasks/get of its task: requests held to the policy, a result to the output checks; an unknown task that asks is dropped', async () => {
  const t = setup({ elicitation: 'deny' });
  await created(t);
  t.notify({ status: 'input_required', ...TASK, inputRequests: { who: ELICIT } });
  const note = await t.toClient();
  assert.equal(note.method, 'notifications/tasks');
  const params = note.params as Record<string, unknown>;
  assert.deepEqual(params.inputRequests, {});
  assert.equal('resultType' in params, false, 'a notification has no resultType');
  const own = await t.toServer();
  assert.equal(own.method, 'tasks/update');
  assert.deepEqual((own.params as { inputResponses: unknown }).inputResponses, {
    who: { action: 'decline' },
  });
  t.ack(own);
  t.notify({
    status: 'completed',
    ...TASK,
    result: { resultType: 'complete', content: [{ type: 'text', text: SECRET }] },
  });
  const done = (await t.toClient()).params as { result: { content: unknown } };
  assert.deepEqual(done.result.content, [{ type: 'text', text: '[REDACTED:aws]' }]);
  // A task this session never saw made: no capability is known to have been declared.
  t.notify({ status: 'input_required', ...TASK, taskId: 'T9', inputRequests: { r: ROOTS } });
  t.notify({ status: 'working', ...TASK });
  const after = (await t.toClient()).params as { status: string; taskId: string };
  assert.deepEqual([after.taskId, after.status], ['T1', 'working']);
  t.close();
});

void test("a completed task's result is judged in its era even when the task was never seen made", async () => {
  const t = setup({ elicitation: 'deny' });
  const seen = await t.exchange(
    'tasks/get',
    { taskId: 'T7' },
    {
      resultType: 'complete',
      status: 'completed',
      ...TASK,
      taskId: 'T7',
      result: { resultType: 'input_required', inputRequests: { who: ELICIT }, requestState: 's' },
    },
  );
  const inner = seen.result!.result as Record<string, unknown>;
  assert.equal('inputRequests' in inner, false, JSON.stringify(inner));
  t.close();
});
