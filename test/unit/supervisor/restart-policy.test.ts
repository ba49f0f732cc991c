import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backoffDelay,
  decideRestart,
  resetAfterMs,
  type RestartConfig,
  type RestartInput,
  type Run,
} from '../../../src/supervisor/restart-policy.js';

const config: RestartConfig = {
  policy: 'on-failure',
  maxRestarts: 3,
  window: 60_000,
  backoff: { initial: 250, max: 4_000 },
};

/** A run that started at `at` and crashed (code 1) `upMs` later. */
function crash(at: number, upMs = 10, overrides: Partial<Run> = {}): Run {
  return { startedAt: at, endedAt: at + upMs, code: 1, signal: null, end: 'exited', ...overrides };
}

function decide(overrides: Partial<RestartInput> & { exited: Run }) {
  return decideRestart({
    restart: config,
    earlier: [],
    failed: false,
    now: overrides.exited.endedAt,
    random: () => 0,
    ...overrides,
  });
}

test('backoff with a fixed random source: floor doubles, jitter adds up to one floor', () => {
  const table: [number, number[]][] = [
    [0, [250, 500, 1000, 2000, 4000, 4000]],
    [0.5, [375, 750, 1500, 3000, 4000, 4000]],
    [0.999, [499, 999, 1999, 3998, 4000, 4000]],
  ];
  for (const [r, expected] of table) {
    const delays = expected.map((_, i) => backoffDelay(i + 1, config.backoff, () => r));
    assert.deepEqual(delays, expected, `random ${r}`);
  }
});

test('backoff stays within [initial, max] for any attempt and odd random values', () => {
  for (const attempt of [0, 1, 2, 7, 60, 10_000]) {
    for (const r of [-1, 0, 0.3, 0.999, 1, 5]) {
      const d = backoffDelay(attempt, config.backoff, () => r);
      assert.ok(d >= 250 && d <= 4000, `attempt ${attempt} random ${r}: ${d}`);
    }
  }
  assert.equal(
    backoffDelay(3, { initial: 0, max: 0 }, () => 0.5),
    0,
  );
  assert.equal(
    backoffDelay(1, { initial: 1000, max: 1000 }, () => 0.9),
    1000,
  );
});

test('consecutive short runs raise the attempt and the delay', () => {
  const runs = [crash(0), crash(1_000), crash(2_000)];
  const decision = decide({ exited: runs[2]!, earlier: runs.slice(0, 2) });
  assert.deepEqual(decision, { action: 'restart', delayMs: 1000, attempt: 3 });
});

test('success-reset: a run up for backoff.max resets the attempt counter', () => {
  const reset = resetAfterMs(config);
  assert.equal(reset, 4_000);
  const table: [string, Run[], Run, number][] = [
    ['the exited run itself lived long enough', [crash(0), crash(100)], crash(200, reset), 1],
    ['one ms short of it still counts', [crash(0), crash(100)], crash(200, reset - 1), 3],
    ['a long run earlier ends the streak', [crash(100, reset), crash(9_000)], crash(9_100), 2],
    [
      'a requested stop earlier ends the streak',
      [crash(0, 5, { end: 'stop-requested' })],
      crash(50),
      1,
    ],
  ];
  for (const [name, earlier, exited, attempt] of table) {
    const decision = decide({ exited, earlier });
    assert.equal(decision.action, 'restart', name);
    assert.equal(decision.action === 'restart' && decision.attempt, attempt, name);
  }
});

test('maxRestarts within window: exactly at the limit restarts, one past gives up', () => {
  // maxRestarts 3: the first start and 3 restarts fit in one window; a 5th start does not.
  const atLimit = [crash(0), crash(1_000), crash(2_000)];
  assert.equal(decide({ exited: atLimit[2]!, earlier: atLimit.slice(0, 2) }).action, 'restart');
  const past = [...atLimit, crash(3_000)];
  assert.deepEqual(decide({ exited: past[3]!, earlier: past.slice(0, 3) }), {
    action: 'give-up',
    reason: '4 starts within 60000 ms (maxRestarts 3)',
    starts: 4,
    windowMs: 60_000,
  });
});

test('maxRestarts 0: the first failure gives up', () => {
  const decision = decide({ exited: crash(0), restart: { ...config, maxRestarts: 0 } });
  assert.equal(decision.action, 'give-up');
});

test('the window slides: starts window ms old or older no longer count', () => {
  const exited = crash(61_000);
  const table: [number, string][] = [
    [1_010, 'restart'], // the oldest start is exactly window old at now = 61_010: out
    [1_011, 'give-up'], // 1 ms younger: still in
  ];
  for (const [oldest, action] of table) {
    const earlier = [crash(oldest), crash(30_000), crash(60_000)];
    assert.equal(decide({ exited, earlier }).action, action, `oldest start at ${oldest}`);
  }
});

test('policy × how the child ended', () => {
  const ends: Record<string, Partial<Run>> = {
    'exit 0': { code: 0 },
    'exit 1': { code: 1 },
    signal: { code: null, signal: 'SIGSEGV' },
    hung: { code: null, signal: 'SIGKILL', end: 'hung' },
    'hung, exit 0': { code: 0, end: 'hung' },
    'requested stop': { code: null, signal: 'SIGTERM', end: 'stop-requested' },
  };
  const expected: Record<RestartConfig['policy'], string[]> = {
    'on-failure': ['stay-stopped', 'restart', 'restart', 'restart', 'restart', 'stay-stopped'],
    always: ['restart', 'restart', 'restart', 'restart', 'restart', 'stay-stopped'],
    never: [
      'stay-stopped',
      'stay-stopped',
      'stay-stopped',
      'stay-stopped',
      'stay-stopped',
      'stay-stopped',
    ],
  };
  for (const [policy, actions] of Object.entries(expected)) {
    Object.entries(ends).forEach(([name, end], i) => {
      const decision = decide({
        exited: crash(0, 10, end),
        restart: { ...config, policy: policy as RestartConfig['policy'] },
      });
      assert.equal(decision.action, actions[i], `${policy} / ${name}`);
    });
  }
});

test('failed: one retry every backoff.max, whatever the window holds', () => {
  const earlier = [crash(0), crash(100), crash(200), crash(300), crash(400)];
  for (const exited of [crash(4_400), crash(8_400, 3_000), crash(8_400, 10, { end: 'hung' })]) {
    assert.deepEqual(decide({ exited, earlier, failed: true }), {
      action: 'retry-failed',
      delayMs: 4_000,
    });
  }
});

test('failed: a retry that exits 0 under on-failure, or is stopped, stays stopped', () => {
  for (const end of [{ code: 0 }, { end: 'stop-requested' as const }]) {
    const decision = decide({ exited: crash(0, 10, end), failed: true });
    assert.equal(decision.action, 'stay-stopped');
  }
});

test('decisions use the injected random source for jitter', () => {
  const decision = decide({ exited: crash(0), random: () => 0.5 });
  assert.deepEqual(decision, { action: 'restart', delayMs: 375, attempt: 1 });
});
