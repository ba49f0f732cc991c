import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RestartConfig } from '../../../src/supervisor/restart-policy.js';
import { Restarts } from '../../../src/supervisor/restarts.js';
import type { ChildExit } from '../../../src/supervisor/server-process.js';
import { FakeClock } from './fakes.js';

const config: RestartConfig = {
  policy: 'on-failure',
  maxRestarts: 2,
  window: 60_000,
  backoff: { initial: 250, max: 4_000 },
};
const crash: ChildExit = { code: 1, signal: null, forced: false, uptimeMs: 10 };
const clean: ChildExit = { code: 0, signal: null, forced: false, uptimeMs: 10 };

test('crashes restart with a doubling backoff until the window is full, then give up', async () => {
  const clock = new FakeClock();
  const restarts = new Restarts(config, clock, () => 0);
  const decisions: ReturnType<Restarts['decide']>[] = [];
  for (let i = 0; i < 3; i += 1) {
    restarts.started();
    await clock.advance(10);
    decisions.push(restarts.decide(crash, false));
  }
  assert.deepEqual(decisions.slice(0, 2), [
    { action: 'restart', delayMs: 250, attempt: 1 },
    { action: 'restart', delayMs: 500, attempt: 2 },
  ]);
  assert.equal(decisions[2]!.action, 'give-up');
  assert.equal(restarts.count, 2, 'only restarts are counted');
});

test('a clean exit stays stopped under on-failure; a retry while failed waits backoff.max', () => {
  const clock = new FakeClock();
  const restarts = new Restarts(config, clock, () => 0);
  restarts.started();
  assert.deepEqual(restarts.decide(clean, false), {
    action: 'stay-stopped',
    reason: 'exited with code 0 (restart policy on-failure)',
  });
  restarts.started();
  assert.deepEqual(restarts.decide(crash, true), { action: 'retry-failed', delayMs: 4_000 });
});

test('a child killed as hung is a failure even with code 0; the next start forgets it', () => {
  const clock = new FakeClock();
  const restarts = new Restarts(config, clock, () => 0);
  restarts.started();
  restarts.markHung();
  assert.equal(restarts.hung, true);
  assert.equal(restarts.decide(clean, false).action, 'restart');
  restarts.started();
  assert.equal(restarts.hung, false);
  assert.equal(restarts.decide(clean, false).action, 'stay-stopped');
});

test('a child that refused the session gives up with its reason, whatever the policy says', () => {
  const clock = new FakeClock();
  const restarts = new Restarts({ ...config, policy: 'always' }, clock, () => 0);
  restarts.started();
  restarts.refuse('the new child speaks protocol 2024-11-05');
  assert.deepEqual(restarts.decide(crash, false), {
    action: 'give-up',
    reason: 'the new child speaks protocol 2024-11-05',
  });
  restarts.started();
  assert.equal(restarts.decide(crash, false).action, 'restart', 'the refusal was that run’s');
});

test('startedAt is the clock reading at the spawn; a long run resets the backoff', async () => {
  const clock = new FakeClock();
  const restarts = new Restarts(config, clock, () => 0);
  await clock.advance(100);
  restarts.started();
  assert.equal(restarts.startedAt, 100);
  await clock.advance(10);
  assert.equal(restarts.decide(crash, false).action, 'restart');
  restarts.started();
  await clock.advance(4_000);
  assert.deepEqual(restarts.decide(crash, false), { action: 'restart', delayMs: 250, attempt: 1 });
});

test('schedule fires once after its delay; a new schedule or cancel replaces it', async () => {
  const clock = new FakeClock();
  const restarts = new Restarts(config, clock, () => 0);
  const fired: string[] = [];
  restarts.schedule(250, () => fired.push('a'), true);
  assert.deepEqual(clock.pending, [{ in: 250, refed: true }]);
  restarts.schedule(500, () => fired.push('b'), false);
  assert.deepEqual(
    clock.pending,
    [{ in: 500, refed: false }],
    'a retry does not keep mcp-guard up',
  );
  await clock.advance(499);
  assert.equal(fired.length, 0);
  await clock.advance(1);
  assert.deepEqual(fired, ['b']);
  restarts.schedule(100, () => fired.push('c'), true);
  restarts.cancel();
  await clock.advance(1_000);
  assert.deepEqual(fired, ['b']);
  assert.deepEqual(clock.pending, []);
});

test('gone: the words for each decision, a hint ends the runs, and only an unforced code 0 is clean', () => {
  const clock = new FakeClock();
  const restarts = new Restarts(config, clock, () => 0);
  restarts.started();
  assert.deepEqual(restarts.gone(crash, false), {
    decision: { action: 'restart', delayMs: 250, attempt: 1 },
    why: 'exited with code 1',
    reason: 'exited with code 1',
    clean: false,
  });
  restarts.started();
  restarts.markHung();
  const hung = restarts.gone(clean, false);
  assert.equal(hung.why, 'it stopped answering health checks');
  assert.equal(hung.clean, false);
  restarts.started();
  const hinted = restarts.gone(crash, false, 'run `mcp-guard prepare srv`');
  assert.deepEqual(hinted.decision, { action: 'give-up', reason: 'run `mcp-guard prepare srv`' });
  assert.equal(hinted.reason, 'run `mcp-guard prepare srv`');
  assert.equal(hinted.why, 'exited with code 1');
  restarts.started();
  const stopped = restarts.gone(clean, false);
  assert.equal(stopped.decision.action, 'stay-stopped');
  assert.equal(stopped.clean, true);
  assert.equal(stopped.reason, 'exited with code 0 (restart policy on-failure)');
});
