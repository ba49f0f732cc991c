import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPipeline, type PolicyCheck } from '../../../src/policy/pipeline.js';
import { PASS, type Verdict } from '../../../src/policy/verdict.js';
import { callTool, response, toClient, toServer, type Recorded } from '../../helpers/policy.js';

const fixed = (
  name: string,
  verdict: Verdict | ((seen: string[]) => Verdict),
  seen: string[] = [],
): PolicyCheck => ({
  name,
  check: () => {
    seen.push(name);
    return typeof verdict === 'function' ? verdict(seen) : verdict;
  },
});
const deny: Verdict = { action: 'deny', rule: 'tools.deny', reason: 'no' };
const hide = (message = response({ tools: [] })): Verdict => ({
  action: 'rewrite',
  message,
  withheld: [{ rule: 'tools.deny', reason: 'hidden from tools/list: "x"' }],
});

void test('the first denial wins and later checks do not run; rewrites chain', () => {
  const seen: string[] = [];
  const pipeline = createPipeline([
    fixed('a', PASS, seen),
    fixed('b', deny, seen),
    fixed('c', PASS, seen),
  ]);
  assert.deepEqual(pipeline.inspect(callTool('x'), toServer()), deny);
  assert.deepEqual(seen, ['a', 'b']);

  const first = response({ step: 1 });
  const second = response({ step: 2 });
  const chain = createPipeline([
    fixed('one', { action: 'rewrite', message: first }),
    { name: 'two', check: (m) => (assert.equal(m, first), { action: 'rewrite', message: second }) },
    { name: 'three', check: (m) => (assert.equal(m, second), PASS) },
  ]);
  assert.deepEqual(chain.inspect(response({}), toClient('x')), {
    action: 'rewrite',
    message: second,
  });
});

void test('enforced: what a rewrite withholds is audited as policy.deny, with the method, id and tool of the request', () => {
  const records: Recorded[] = [];
  const replaced = response({ tools: [] }, 7);
  const verdict = createPipeline([fixed('hide', hide(replaced))]).inspect(
    response({ tools: [{ name: 'x' }] }, 7),
    toClient('tools/list', {}, undefined, records),
  );
  assert.deepEqual(verdict, { action: 'rewrite', message: replaced });
  assert.deepEqual(records, [
    {
      event: 'policy.deny',
      fields: {
        rule: 'tools.deny',
        reason: 'hidden from tools/list: "x"',
        direction: 'server-to-client',
        method: 'tools/list',
        id: 7,
      },
      level: 'warn',
    },
  ]);
});

void test('observe: nothing is refused or withheld; each would-be decision is recorded with enforced: false', () => {
  const records: Recorded[] = [];
  const wouldDeny: string[] = [];
  const clean = response({ content: [{ type: 'text', text: 'clean' }] });
  const pipeline = createPipeline(
    [
      fixed('deny', deny),
      fixed('hide', hide()),
      fixed('sanitize', { action: 'rewrite', message: clean }),
    ],
    { observe: true, onWouldDeny: (v) => wouldDeny.push(v.action) },
  );
  const call = callTool('move_file', {}, 3);
  const verdict = pipeline.inspect(call, toServer(undefined, records));
  assert.deepEqual(
    verdict,
    { action: 'rewrite', message: clean },
    'sanitising rewrites still apply',
  );
  assert.deepEqual(wouldDeny, ['deny']);
  assert.deepEqual(
    records.map((r) => r.fields),
    [
      {
        rule: 'tools.deny',
        reason: 'no',
        direction: 'client-to-server',
        method: 'tools/call',
        id: 3,
        tool: 'move_file',
        enforced: false,
      },
      {
        rule: 'tools.deny',
        reason: 'hidden from tools/list: "x"',
        direction: 'client-to-server',
        method: 'tools/call',
        id: 3,
        tool: 'move_file',
        enforced: false,
      },
    ],
  );
  assert.ok(records.every((r) => r.event === 'policy.deny'));
});

void test('no checks: every message passes and nothing is recorded', () => {
  const records: Recorded[] = [];
  assert.deepEqual(createPipeline([]).inspect(callTool('x'), toServer(undefined, records)), PASS);
  assert.deepEqual(records, []);
});

void test('observe: a request whose params lack their shape is still refused (later checks rely on it)', () => {
  const records: Recorded[] = [];
  const pipeline = createPipeline([fixed('deny', deny)], { observe: true });
  const bad = callTool('x', {}, 4);
  const malformed = { ...bad, params: { name: 42 } } as unknown as typeof bad;
  const verdict = pipeline.inspect(malformed, toServer(undefined, records));
  assert.equal(verdict.action, 'deny');
  assert.equal(records.length, 0, 'the relay records the refusal it sends, once');
});
