import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BUSY_CPU_SHARE,
  CLOCK_JUMP_MS,
  FailureCount,
  judgePing,
  type PingOutcome,
} from '../../../src/supervisor/health.js';

const base: PingOutcome = {
  answered: false,
  sent: { wall: 1_000_000, mono: 5_000 },
  ended: { wall: 1_000_500, mono: 5_500 },
  timeoutMs: 500,
  lastTraffic: 4_000,
  lastStderr: 4_000,
  inFlight: false,
  cpuMs: 0,
};

/** CPU time that is exactly the busy share of the base's 500 ms wait. */
const BUSY_MS = BUSY_CPU_SHARE * 500;

test('judgePing: table of outcomes', () => {
  const table: [string, Partial<PingOutcome>, string, RegExp?][] = [
    ['answered', { answered: true, ended: { wall: 1_000_012, mono: 5_012 } }, 'ok'],
    ['silent, idle: a failure', {}, 'fail', /no answer to ping within 500 ms/],
    ['silent but sending meanwhile: alive', { lastTraffic: 5_200 }, 'ignored', /sending/],
    ['traffic exactly at send time does not count', { lastTraffic: 5_000 }, 'fail'],
    [
      'silent, a request in flight, the tree computing: busy',
      { inFlight: true, cpuMs: 480 },
      'ignored',
      /in flight \(480 ms of CPU in 500 ms\)/,
    ],
    [
      'silent, a request in flight, no output, no CPU: hung mid-call',
      { inFlight: true },
      'fail',
      /within 500 ms, with a request in flight, no output and 0 ms of CPU in 500 ms/,
    ],
    ['CPU exactly at the busy share: busy', { inFlight: true, cpuMs: BUSY_MS }, 'ignored'],
    ['CPU one ms under the busy share: hung', { inFlight: true, cpuMs: BUSY_MS - 1 }, 'fail'],
    [
      'a request in flight and a log line on stderr meanwhile: busy',
      { inFlight: true, lastStderr: 5_300 },
      'ignored',
      /in flight \(logging\)/,
    ],
    [
      'nothing in flight, only a log line on stderr: hung (it answers no one)',
      { lastStderr: 5_300 },
      'fail',
    ],
    [
      'a request in flight and a notification on stdout: alive',
      { inFlight: true, lastTraffic: 5_300 },
      'ignored',
      /sending/,
    ],
    [
      'CPU time unknown (not Linux): a request in flight is all there is to go by',
      { inFlight: true, cpuMs: null },
      'ignored',
      /in flight/,
    ],
    [
      'spinning with nothing in flight answers no one: hung',
      { cpuMs: 500 },
      'fail',
      /no answer to ping within 500 ms$/,
    ],
    [
      'the machine slept: the wall clock jumped',
      { ended: { wall: 1_000_500 + 3_600_000, mono: 5_500 } },
      'ignored',
      /clock jump/,
    ],
    [
      'a jump just under the threshold is not one',
      { ended: { wall: 1_000_500 + CLOCK_JUMP_MS, mono: 5_500 } },
      'fail',
    ],
    [
      'one past the threshold is',
      { ended: { wall: 1_000_500 + CLOCK_JUMP_MS + 1, mono: 5_500 } },
      'ignored',
      /clock jump/,
    ],
    [
      'the clock set back',
      { ended: { wall: 1_000_500 - 60_000, mono: 5_500 } },
      'ignored',
      /clock jump/,
    ],
    [
      'mcp-guard itself was stopped: the wait overran by far',
      { ended: { wall: 1_000_000 + 2_100, mono: 5_000 + 2_100 } },
      'ignored',
      /overran/,
    ],
  ];
  for (const [name, change, verdict, reason] of table) {
    const judgement = judgePing({ ...base, ...change });
    assert.equal(judgement.verdict, verdict, name);
    if (reason !== undefined && judgement.verdict !== 'ok')
      assert.match(judgement.reason, reason, name);
  }
  const ok = judgePing({ ...base, answered: true, ended: { wall: 1_000_012, mono: 5_012.34 } });
  assert.deepEqual(ok, { verdict: 'ok', latencyMs: 12.3 });
});

test('FailureCount: consecutive failures reach hung; an answer resets; ignored pings change nothing', () => {
  const fail = { verdict: 'fail', reason: 'x' } as const;
  const ok = { verdict: 'ok', latencyMs: 1 } as const;
  const ignored = { verdict: 'ignored', reason: 'clock jump' } as const;
  const count = new FailureCount(2);
  assert.equal(count.add(fail), false);
  assert.equal(count.add(ignored), false);
  assert.equal(count.count, 1);
  assert.equal(count.add(ok), false);
  assert.equal(count.count, 0);
  assert.equal(count.add(fail), false);
  assert.equal(count.add(fail), true, 'the second consecutive failure is the limit');
  const one = new FailureCount(1);
  assert.equal(one.add(fail), true, 'failures: 1 means the first failure');
});
