import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimitCheck } from '../../../src/policy/rate-limit.js';
import { TokenBucket } from '../../../src/policy/token-bucket.js';
import { callTool, outcome, request, toClient, toServer, response } from '../../helpers/policy.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    set: (ms: number) => void (now = ms),
  };
}

const bucketCases: [string, number, [number, 'take' | 'wait'][], number[]][] = [
  // [what, per minute, steps (advance ms, then take or read the wait), expected waits]
  [
    '3/min: three at once, the fourth waits 20 s',
    3,
    [
      [0, 'take'],
      [0, 'take'],
      [0, 'take'],
      [0, 'wait'],
    ],
    [0, 0, 0, 20_000],
  ],
  [
    'one token comes back after exactly 60000/N ms',
    3,
    [
      [0, 'take'],
      [0, 'take'],
      [0, 'take'],
      [19_999, 'wait'],
      [1, 'wait'],
    ],
    [0, 0, 0, 1, 0],
  ],
  [
    'refills never exceed the capacity',
    2,
    [
      [600_000, 'take'],
      [0, 'take'],
      [0, 'wait'],
    ],
    [0, 0, 30_000],
  ],
  [
    'a non-divisible rate rounds the wait up',
    7,
    [...Array.from({ length: 7 }, (): [number, 'take'] => [0, 'take']), [0, 'wait']],
    [0, 0, 0, 0, 0, 0, 0, 8572],
  ],
];
for (const [what, perMinute, steps, waits] of bucketCases) {
  void test(`token bucket: ${what}`, () => {
    const clock = manualClock();
    const bucket = new TokenBucket(perMinute, clock.now());
    const seen = steps.map(([advance, action]) => {
      clock.advance(advance);
      const wait = bucket.waitMs(clock.now());
      if (action === 'take' && wait === 0) bucket.take(clock.now());
      return wait;
    });
    assert.deepEqual(seen, waits);
  });
}

void test('token bucket: a clock going backwards refills nothing', () => {
  const bucket = new TokenBucket(1, 10_000);
  bucket.take(10_000);
  assert.equal(bucket.waitMs(5_000), 60_000);
  assert.equal(bucket.waitMs(70_000), 0);
});

void test('rate limit: at the limit every call passes, one past it is refused with retryAfterMs, and it recovers', () => {
  const clock = manualClock();
  const check = createRateLimitCheck(3, {}, clock.now);
  const call = () => check.check(callTool('echo'), toServer());
  assert.deepEqual([call(), call(), call()].map(outcome), ['pass', 'pass', 'pass']);
  assert.deepEqual(call(), {
    action: 'deny',
    rule: 'limits.callsPerMinute',
    reason: 'the 3 calls per minute to this server are used up; retry after 20000 ms',
    code: -31051,
    data: { retryAfterMs: 20_000 },
  });
  clock.advance(19_999);
  assert.equal(outcome(call()), 'deny limits.callsPerMinute', 'a refused call took nothing');
  clock.advance(1);
  assert.equal(outcome(call()), 'pass');
  assert.equal(outcome(call()), 'deny limits.callsPerMinute');
});

void test('rate limit: a per-tool budget applies on top of the server budget, to that tool only', () => {
  const clock = manualClock();
  const check = createRateLimitCheck(10, { search: 2 }, clock.now);
  const call = (name: string) => outcome(check.check(callTool(name), toServer()));
  assert.deepEqual(
    [call('search'), call('search'), call('search')],
    ['pass', 'pass', 'deny tools.rateLimits'],
  );
  assert.equal(call('echo'), 'pass', 'other tools are not held back');
  const refused = check.check(callTool('search'), toServer());
  assert.ok(refused.action === 'deny');
  assert.deepEqual(refused.data, { retryAfterMs: 30_000 });
  assert.match(refused.reason, /2 calls per minute of tool "search"/);
  // The server budget: 10, of which 3 used (2 search + 1 echo). Seven more echoes, then none.
  assert.deepEqual(
    Array.from({ length: 8 }, () => call('echo')).at(-1),
    'deny limits.callsPerMinute',
  );
});

void test('rate limit: when both budgets are out the longer wait is given', () => {
  const clock = manualClock();
  const check = createRateLimitCheck(1, { slow: 1 }, clock.now);
  assert.equal(outcome(check.check(callTool('slow'), toServer())), 'pass');
  clock.advance(30_000);
  const refused = check.check(callTool('slow'), toServer());
  assert.ok(refused.action === 'deny');
  assert.deepEqual(refused.data, { retryAfterMs: 30_000 });
});

void test('rate limit: only client tools/call requests count; a tool named __proto__ is just a name', () => {
  const clock = manualClock();
  const check = createRateLimitCheck(1, {}, clock.now);
  assert.equal(outcome(check.check(request('tools/list'), toServer())), 'pass');
  assert.equal(outcome(check.check(request('resources/read', { uri: 'x' }), toServer())), 'pass');
  assert.equal(outcome(check.check(response({}), toClient('tools/call'))), 'pass');
  assert.equal(outcome(check.check(callTool('__proto__'), toServer())), 'pass');
  assert.equal(outcome(check.check(callTool('echo'), toServer())), 'deny limits.callsPerMinute');
});
