import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServerRequestsCheck } from '../../../src/policy/server-requests.js';
import { outcome, request, rewritten, toClient, toServer } from '../../helpers/policy.js';

const sampling = request('sampling/createMessage', { messages: [], maxTokens: 10 });
const elicitation = request('elicitation/create', {
  message: 'name?',
  requestedSchema: { type: 'object' },
});

const cases: [
  string,
  { sampling: 'allow' | 'deny'; elicitation: 'allow' | 'deny' },
  string,
  string,
][] = [
  ['sampling denied', { sampling: 'deny', elicitation: 'allow' }, 'sampling', 'deny sampling'],
  [
    'sampling denied, elicitation allowed',
    { sampling: 'deny', elicitation: 'allow' },
    'elicitation',
    'pass',
  ],
  [
    'elicitation denied',
    { sampling: 'allow', elicitation: 'deny' },
    'elicitation',
    'deny elicitation',
  ],
  [
    'elicitation denied, sampling allowed',
    { sampling: 'allow', elicitation: 'deny' },
    'sampling',
    'pass',
  ],
  ['both denied', { sampling: 'deny', elicitation: 'deny' }, 'sampling', 'deny sampling'],
];
for (const [what, policy, which, expected] of cases) {
  void test(`server requests: ${what}`, () => {
    const check = createServerRequestsCheck(policy);
    assert.ok(check !== undefined);
    const verdict = check.check(which === 'sampling' ? sampling : elicitation, toClient(undefined));
    assert.equal(outcome(verdict), expected);
  });
}

void test('both allowed: no check at all', () => {
  assert.equal(createServerRequestsCheck({ sampling: 'allow', elicitation: 'allow' }), undefined);
});

void test("denied capabilities are taken out of the client's initialize, the rest kept and recorded", () => {
  const check = createServerRequestsCheck({ sampling: 'deny', elicitation: 'allow' })!;
  const init = request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: { sampling: {}, elicitation: {}, roots: {} },
    clientInfo: { name: 'c', version: '1' },
  });
  const verdict = check.check(init, toServer());
  assert.deepEqual((rewritten(verdict).params as { capabilities: unknown }).capabilities, {
    elicitation: {},
    roots: {},
  });
  assert.ok(verdict.action === 'rewrite');
  assert.deepEqual(verdict.withheld, [
    {
      rule: 'sampling',
      reason: "the client's sampling capability is not declared to the server (sampling: deny)",
    },
  ]);
  const without = request('initialize', { capabilities: { roots: {} } });
  assert.equal(outcome(check.check(without, toServer())), 'pass');
  assert.equal(outcome(check.check(sampling, toServer())), 'pass', 'only the server sends these');
});
