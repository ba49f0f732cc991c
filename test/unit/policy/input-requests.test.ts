import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  createInputSealCheck,
  createInputShapeCheck,
  createInputUnsealCheck,
} from '../../../src/policy/inputs/input-checks.js';
import { createRequestStates } from '../../../src/policy/inputs/request-state.js';
import { createPipeline, type Pipeline } from '../../../src/policy/pipeline.js';
import { createRootsCheck } from '../../../src/policy/roots.js';
import { createServerRequestsCheck } from '../../../src/policy/server-requests.js';
import type { Verdict } from '../../../src/policy/verdict.js';
import {
  outcome,
  request,
  response,
  rewritten,
  toClient,
  toServer,
  type Recorded,
} from '../../helpers/policy.js';

type Allow = 'allow' | 'deny';
interface Rules {
  sampling?: Allow;
  elicitation?: Allow;
  roots?: string[];
  observe?: boolean;
}

const KEY = Buffer.alloc(32, 7);

/** The input checks in server-pipeline.ts order. */
function pipelineFor(rules: Rules): Pipeline {
  const states = createRequestStates(KEY);
  const checks = [createInputShapeCheck(), createInputSealCheck(states)];
  if (rules.roots !== undefined) checks.push(createRootsCheck(rules.roots, states));
  const requests = createServerRequestsCheck(
    { sampling: rules.sampling ?? 'allow', elicitation: rules.elicitation ?? 'allow' },
    states,
  );
  if (requests !== undefined) checks.push(requests);
  checks.push(createInputUnsealCheck(states));
  return createPipeline(checks, { observe: rules.observe === true });
}

const meta = (capabilities: Record<string, unknown>) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': capabilities,
  'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' },
});
const ALL = { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} };
const call = (caps: Record<string, unknown> = ALL, extra: Record<string, unknown> = {}) => ({
  name: 'deploy',
  arguments: {},
  _meta: meta(caps),
  ...extra,
});

const ELICIT = {
  method: 'elicitation/create',
  params: { mode: 'form', message: 'Token?', requestedSchema: { type: 'object' } },
};
const SAMPLE = {
  method: 'sampling/createMessage',
  params: { messages: [], maxTokens: 5 },
};
const ROOTS = { method: 'roots/list' };

const asks = (inputRequests: unknown, more: Record<string, unknown> = {}) =>
  response({ resultType: 'input_required', inputRequests, ...more });

function result(verdict: Verdict): Record<string, unknown> {
  return rewritten(verdict).result as Record<string, unknown>;
}
function params(verdict: Verdict): Record<string, unknown> {
  return rewritten(verdict).params as Record<string, unknown>;
}

void test('elicitation: deny: the client is not asked, and its retry carries a decline; other requests pass', () => {
  const pipeline = pipelineFor({ elicitation: 'deny' });
  const records: Recorded[] = [];
  const sent = call({ sampling: {}, roots: {} });
  const verdict = pipeline.inspect(
    asks({ who: ELICIT, where: ROOTS }, { requestState: 'server-state' }),
    toClient('tools/call', sent, undefined, records),
  );
  const seen = result(verdict);
  assert.deepEqual(seen.inputRequests, { where: ROOTS });
  assert.equal(typeof seen.requestState, 'string');
  assert.match(seen.requestState as string, /^mcp-guard\.1\./);
  assert.deepEqual(
    records.map((r) => [r.event, r.fields.rule]),
    [['policy.deny', 'elicitation']],
  );
  const retry = request(
    'tools/call',
    call(ALL, {
      inputResponses: {
        where: { roots: [{ uri: 'file:///home' }] },
        who: { action: 'accept', content: { token: 'x' } },
        smuggled: { action: 'accept', content: {} },
      },
      requestState: seen.requestState,
    }),
    2,
  );
  const forwarded = params(pipeline.inspect(retry, toServer()));
  assert.deepEqual(forwarded.inputResponses, {
    where: { roots: [{ uri: 'file:///home' }] },
    who: { action: 'decline' },
  });
  assert.equal(forwarded.requestState, 'server-state');
  assert.deepEqual(
    (forwarded._meta as Record<string, unknown>)['io.modelcontextprotocol/clientCapabilities'],
    { sampling: {}, roots: {} },
    'the retry is told the same capabilities as every request',
  );
});

void test('a result whose every request mcp-guard answers keeps a requestState; the retry gets the answers', () => {
  const pipeline = pipelineFor({ elicitation: 'deny', roots: ['/work/project'] });
  const sent = call({ roots: {} });
  const seen = result(
    pipeline.inspect(asks({ a: ROOTS, b: ELICIT }), toClient('tools/call', sent)),
  );
  assert.equal('inputRequests' in seen, false);
  assert.deepEqual(Object.keys(seen).sort(), ['requestState', 'resultType']);
  const retry = request('tools/call', call(ALL, { requestState: seen.requestState }), 2);
  const forwarded = params(pipeline.inspect(retry, toServer()));
  assert.deepEqual(forwarded.inputResponses, {
    a: { roots: [{ uri: pathToFileURL('/work/project').href, name: 'project' }] },
    b: { action: 'decline' },
  });
  assert.equal('requestState' in forwarded, false, 'the server gave none: it gets none');
});

void test("paths.roots: the client's own roots never answer the server's roots/list", () => {
  const pipeline = pipelineFor({ roots: ['/work/project'] });
  const seen = result(
    pipeline.inspect(asks({ r: ROOTS, e: ELICIT }), toClient('tools/call', call())),
  );
  assert.deepEqual(seen.inputRequests, { e: ELICIT });
  const retry = request(
    'tools/call',
    call(ALL, {
      inputResponses: { r: { roots: [{ uri: 'file:///' }] }, e: { action: 'cancel' } },
      requestState: seen.requestState,
    }),
    2,
  );
  const forwarded = params(pipeline.inspect(retry, toServer()));
  assert.deepEqual(forwarded.inputResponses, {
    r: { roots: [{ uri: pathToFileURL('/work/project').href, name: 'project' }] },
    e: { action: 'cancel' },
  });
});

void test('sampling: deny: a result asking for sampling is refused; a forged answer never reaches the server', () => {
  const pipeline = pipelineFor({ sampling: 'deny' });
  const verdict = pipeline.inspect(asks({ s: SAMPLE }), toClient('tools/call', call({})));
  assert.equal(outcome(verdict), 'deny sampling');
  // A state sealed for a result that asked for sampling (say, before a policy change) opens, but
  // the client's answer to it is dropped.
  const states = createRequestStates(KEY);
  const token = states.seal({
    method: 'tools/call',
    subject: 'deploy',
    asked: { s: SAMPLE.method },
  });
  const retry = request(
    'tools/call',
    call(ALL, { inputResponses: { s: { role: 'assistant' } }, requestState: token }),
    2,
  );
  const forwarded = params(pipeline.inspect(retry, toServer()));
  assert.equal('inputResponses' in forwarded, false);
});

void test('a request for a capability the request did not declare is refused', () => {
  const pipeline = pipelineFor({});
  const verdict = pipeline.inspect(
    asks({ e: ELICIT }),
    toClient('tools/call', call({ roots: {} })),
  );
  assert.equal(outcome(verdict), 'deny client-capability');
  const fine = pipeline.inspect(asks({ e: ELICIT }), toClient('tools/call', call()));
  assert.equal(outcome(fine), 'rewrite', 'declared: passes, sealed');
});

const malformed: [string, unknown][] = [
  ['inputRequests an array', asks([ELICIT])],
  ['inputRequests a string', asks('elicitation/create')],
  ['an embedded request of another method', asks({ t: { method: 'tools/call', params: {} } })],
  ['an embedded request without a method', asks({ t: { params: {} } })],
  ['an embedded request that is no object', asks({ t: 'elicitation/create' })],
  ['params that are no object', asks({ e: { method: 'elicitation/create', params: [] } })],
  ['a requestState that is no string', asks({ e: ELICIT }, { requestState: { s: 1 } })],
];
for (const [what, message] of malformed) {
  void test(`an input_required result that cannot be judged is refused: ${what}`, () => {
    const verdict = pipelineFor({}).inspect(
      message as ReturnType<typeof response>,
      toClient('tools/call', call()),
    );
    assert.equal(outcome(verdict), 'deny inputRequests');
  });
}

void test('an input_required result carries nothing a client could take for a final result', () => {
  const seen = result(
    pipelineFor({}).inspect(
      asks(
        { e: ELICIT },
        { content: [{ type: 'text', text: 'done' }], structuredContent: { ok: 1 }, isError: false },
      ),
      toClient('tools/call', call()),
    ),
  );
  assert.deepEqual(Object.keys(seen).sort(), ['inputRequests', 'requestState', 'resultType']);
});

void test('a complete result carries no inputRequests; other spellings of input_required are final results', () => {
  const pipeline = pipelineFor({ elicitation: 'deny' });
  const complete = response({ resultType: 'complete', content: [], inputRequests: { e: ELICIT } });
  assert.equal(
    'inputRequests' in result(pipeline.inspect(complete, toClient('tools/call', call()))),
    false,
  );
  const spelled = response({
    resultType: 'INPUT_REQUIRED',
    content: [],
    inputRequests: { e: ELICIT },
  });
  assert.equal(
    'inputRequests' in result(pipeline.inspect(spelled, toClient('tools/call', call()))),
    false,
  );
  const typed = response({ resultType: ['input_required'], inputRequests: { e: ELICIT } });
  assert.equal(
    'inputRequests' in result(pipeline.inspect(typed, toClient('tools/call', call()))),
    false,
  );
});

void test('in the session era an input_required result is no exchange mcp-guard takes part in', () => {
  const pipeline = pipelineFor({ elicitation: 'deny' });
  const verdict = pipeline.inspect(
    asks({ e: ELICIT }, { requestState: 's' }),
    toClient('tools/call', { name: 'deploy' }),
  );
  assert.equal(outcome(verdict), 'pass');
});

void test('a retry whose state mcp-guard did not seal, or sealed for another request, answers nothing', () => {
  const pipeline = pipelineFor({});
  const forged = request(
    'tools/call',
    call(ALL, {
      inputResponses: { e: { action: 'accept' } },
      requestState: 'mcp-guard.1.e30.AAAA',
    }),
    2,
  );
  const out = params(pipeline.inspect(forged, toServer()));
  assert.equal('inputResponses' in out, false);
  assert.equal(out.requestState, 'mcp-guard.1.e30.AAAA', 'not ours: the server judges it');
  const none = request('tools/call', call(ALL, { inputResponses: { e: { action: 'accept' } } }), 3);
  assert.equal('inputResponses' in params(pipeline.inspect(none, toServer())), false);
  const seen = result(
    pipeline.inspect(asks({ e: ELICIT }, { requestState: 'srv' }), toClient('tools/call', call())),
  );
  const elsewhere = request(
    'tools/call',
    {
      ...call(ALL, {
        inputResponses: { e: { action: 'accept' } },
        requestState: seen.requestState,
      }),
      name: 'other-tool',
    },
    4,
  );
  const moved = params(pipeline.inspect(elsewhere, toServer()));
  assert.equal('inputResponses' in moved, false);
  assert.equal(moved.requestState, 'srv');
});

void test('observe: the client is asked and answers as it likes; the state still goes back to the server', () => {
  const pipeline = pipelineFor({ elicitation: 'deny', observe: true });
  const records: Recorded[] = [];
  const seen = result(
    pipeline.inspect(
      asks({ e: ELICIT }, { requestState: 'srv' }),
      toClient('tools/call', call(), undefined, records),
    ),
  );
  assert.deepEqual(seen.inputRequests, { e: ELICIT });
  assert.equal(records[0]?.fields.enforced, false);
  const retry = request(
    'tools/call',
    call(ALL, {
      inputResponses: { e: { action: 'accept', content: {} } },
      requestState: seen.requestState,
    }),
    2,
  );
  const forwarded = params(pipeline.inspect(retry, toServer()));
  assert.deepEqual(forwarded.inputResponses, { e: { action: 'accept', content: {} } });
  assert.equal(forwarded.requestState, 'srv');
});

void test('request states: sealed and opened by the same key only, never when altered', () => {
  const states = createRequestStates(KEY);
  const sealed = { method: 'prompts/get', subject: 'p', asked: { a: 'roots/list' }, state: 'x.y' };
  const token = states.seal(sealed);
  assert.deepEqual(states.open(token), sealed);
  assert.equal(createRequestStates(Buffer.alloc(32, 8)).open(token), undefined);
  const [, , payload, mac] = token.split('.');
  const other = Buffer.from(JSON.stringify({ m: 'prompts/get', k: { a: 'x' } })).toString(
    'base64url',
  );
  assert.equal(states.open(`mcp-guard.1.${other}.${mac}`), undefined);
  assert.equal(states.open(`mcp-guard.1.${payload}.${mac}x`), undefined);
  assert.equal(states.open(42), undefined);
  assert.equal(createRequestStates().open(createRequestStates().seal(sealed)), undefined);
});

void test('a key named __proto__ is a key like any other', () => {
  const pipeline = pipelineFor({ elicitation: 'deny' });
  const seen = result(
    pipeline.inspect(asks({ ['__proto__']: ELICIT }), toClient('tools/call', call())),
  );
  assert.equal('inputRequests' in seen, false);
  const retry = request('tools/call', call(ALL, { requestState: seen.requestState }), 2);
  const forwarded = params(pipeline.inspect(retry, toServer()));
  assert.equal(JSON.stringify(forwarded.inputResponses), '{"__proto__":{"action":"decline"}}');
});

// The tasks extension: a task waiting for input asks in its tasks/get result, and the client
// answers with tasks/update (no requestState travels).

const taskGet = (caps: Record<string, unknown> = ALL, taskId = 'T1') => ({
  taskId,
  _meta: meta(caps),
});
const waiting = (inputRequests: unknown, more: Record<string, unknown> = {}) =>
  response({
    resultType: 'complete',
    taskId: 'T1',
    status: 'input_required',
    createdAt: '2026-08-01T10:00:00Z',
    lastUpdatedAt: '2026-08-01T10:00:00Z',
    ttlMs: 60_000,
    inputRequests,
    ...more,
  });
const update = (inputResponses: unknown, taskId = 'T1', id = 9) =>
  request('tasks/update', { taskId, inputResponses, _meta: meta(ALL) }, id);

void test('a task waiting for input, elicitation: deny: the client is not asked; its tasks/update carries a decline, and answers to nothing asked are dropped', () => {
  const pipeline = pipelineFor({ elicitation: 'deny' });
  const records: Recorded[] = [];
  const seen = result(
    pipeline.inspect(
      waiting({ who: ELICIT, where: ROOTS }),
      toClient('tasks/get', taskGet({ sampling: {}, roots: {} }), undefined, records),
    ),
  );
  assert.deepEqual(seen.inputRequests, { where: ROOTS });
  assert.equal(seen.status, 'input_required');
  assert.equal(seen.taskId, 'T1');
  assert.deepEqual(
    records.map((r) => [r.event, r.fields.rule]),
    [['policy.deny', 'elicitation']],
  );
  const forwarded = params(
    pipeline.inspect(
      update({
        where: { roots: [{ uri: 'file:///home' }] },
        who: { action: 'accept', content: { token: 'x' } },
        smuggled: { action: 'accept', content: {} },
      }),
      toServer(),
    ),
  );
  assert.deepEqual(forwarded.inputResponses, {
    where: { roots: [{ uri: 'file:///home' }] },
    who: { action: 'decline' },
  });
  assert.equal(forwarded.taskId, 'T1');
});

void test('a task waiting for input, paths.roots: the roots request is answered by mcp-guard; a task left with nothing to ask keeps inputRequests: {}', () => {
  const pipeline = pipelineFor({ roots: ['/work/project'] });
  const seen = result(pipeline.inspect(waiting({ r: ROOTS }), toClient('tasks/get', taskGet())));
  assert.deepEqual(seen.inputRequests, {});
  const forwarded = params(
    pipeline.inspect(update({ r: { roots: [{ uri: 'file:///' }] } }), toServer()),
  );
  assert.deepEqual(forwarded.inputResponses, {
    r: { roots: [{ uri: pathToFileURL('/work/project').href, name: 'project' }] },
  });
});

void test('a task waiting for input, sampling: deny: refused; an elicitation the request did not declare: refused', () => {
  assert.equal(
    outcome(
      pipelineFor({ sampling: 'deny' }).inspect(
        waiting({ s: SAMPLE }),
        toClient('tasks/get', taskGet({})),
      ),
    ),
    'deny sampling',
  );
  assert.equal(
    outcome(
      pipelineFor({}).inspect(
        waiting({ e: ELICIT }),
        toClient('tasks/get', taskGet({ roots: {} })),
      ),
    ),
    'deny client-capability',
  );
});

void test("a tasks/update answers only what its task asked through mcp-guard; another task's keys are not this one's", () => {
  const pipeline = pipelineFor({});
  const before = params(pipeline.inspect(update({ e: { action: 'accept' } }), toServer()));
  assert.equal('inputResponses' in before, false, 'nothing asked yet: nothing answered');
  pipeline.inspect(waiting({ e: ELICIT }), toClient('tasks/get', taskGet()));
  const other = params(pipeline.inspect(update({ e: { action: 'accept' } }, 'T2'), toServer()));
  assert.equal('inputResponses' in other, false);
  const answered = pipeline.inspect(update({ e: { action: 'accept' } }), toServer());
  assert.equal(outcome(answered), 'pass', 'asked: the answer goes through as the client sent it');
});

const taskSpellings: [string, ReturnType<typeof response>, string][] = [
  [
    'a status spelled otherwise asks for nothing',
    waiting({ e: ELICIT }, { status: 'INPUT_REQUIRED' }),
    'inputRequests removed',
  ],
  [
    'a status that is an array asks for nothing',
    waiting({ e: ELICIT }, { status: ['input_required'] }),
    'inputRequests removed',
  ],
  [
    'both completed and asking',
    waiting({ e: ELICIT }, { status: 'completed', result: { content: [] } }),
    'inputRequests removed',
  ],
  [
    'asking and carrying a result, an error and a requestState',
    waiting(
      {},
      {
        result: { content: [{ type: 'text', text: 'done' }] },
        error: { code: 1 },
        requestState: 's',
      },
    ),
    'members removed',
  ],
  ['asking for another task', waiting({ e: ELICIT }, { taskId: 'T9' }), 'deny inputRequests'],
  ['inputRequests an array', waiting([ELICIT]), 'deny inputRequests'],
  [
    'an embedded request of another method',
    waiting({ t: { method: 'tools/call' } }),
    'deny inputRequests',
  ],
];
for (const [what, message, expected] of taskSpellings) {
  void test(`tasks/get, read as an attacker: ${what}`, () => {
    const verdict = pipelineFor({ elicitation: 'deny' }).inspect(
      message,
      toClient('tasks/get', taskGet()),
    );
    if (expected.startsWith('deny')) {
      assert.equal(outcome(verdict), expected);
      return;
    }
    const seen = result(verdict);
    if (expected === 'inputRequests removed') assert.equal('inputRequests' in seen, false);
    else {
      assert.deepEqual(Object.keys(seen).sort(), [
        'createdAt',
        'inputRequests',
        'lastUpdatedAt',
        'resultType',
        'status',
        'taskId',
        'ttlMs',
      ]);
    }
  });
}

void test("a task handle carries its task only: no result, error or inputRequests to act on (an SDK's empty content stays)", () => {
  const handle = response({
    resultType: 'task',
    taskId: 'T1',
    status: 'completed',
    createdAt: 'x',
    lastUpdatedAt: 'x',
    ttlMs: null,
    content: [],
    result: { content: [{ type: 'text', text: 'unchecked' }] },
    inputRequests: { e: ELICIT },
  });
  const seen = result(
    pipelineFor({ elicitation: 'deny' }).inspect(handle, toClient('tools/call', call())),
  );
  assert.deepEqual(Object.keys(seen).sort(), [
    'content',
    'createdAt',
    'lastUpdatedAt',
    'resultType',
    'status',
    'taskId',
    'ttlMs',
  ]);
  const plain = response({ resultType: 'task', taskId: 'T1', status: 'working', content: [] });
  assert.equal(outcome(pipelineFor({}).inspect(plain, toClient('tools/call', call()))), 'pass');
});
