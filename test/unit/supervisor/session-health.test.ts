import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OwnRequestTimeout } from '../../../src/relay/own-requests.js';
import type { HealthProbe } from '../../../src/supervisor/health-monitor.js';
import { SessionHealth } from '../../../src/supervisor/session-health.js';
import { collectAudit, FakeClock, settle } from './fakes.js';

const server = { name: 'srv', health: { interval: 1000, timeout: 200, failures: 1 } };

/** A child that answers every ping at once, or a silent one (each ping times out on `clock`). */
function child(clock: FakeClock, answers: boolean, onHung: () => void = () => undefined) {
  const silence = (ms: number) =>
    new Promise((_, reject) => clock.setTimeout(() => reject(new OwnRequestTimeout('no')), ms));
  const probe: HealthProbe = {
    ping: (ms) => (answers ? Promise.resolve({}) : silence(ms)),
    inFlight: () => 0,
    lastTraffic: () => 0,
    lastStderr: () => 0,
    cpuMs: () => 0,
  };
  return { pid: 7, probe, isCurrent: () => true, onHung };
}

test('the last answered ping outlives the child that answered it, and each answer is a change', async () => {
  const clock = new FakeClock();
  let changes = 0;
  const health = new SessionHealth({
    server,
    clock,
    audit: collectAudit(),
    onChange: () => (changes += 1),
  });
  assert.equal(health.lastPing, null);
  health.watch(child(clock, true));
  await clock.advance(1000);
  await settle();
  assert.equal(changes, 1);
  const first = health.lastPing;
  assert.notEqual(first, null);
  health.stop();
  assert.deepEqual(clock.pending, [], 'stopping ends the timer');
  assert.equal(health.lastPing, first, 'kept for status after the child is gone');
});

test('watching a new child ends the watch of the old one: one timer, and only the new child is judged', async () => {
  const clock = new FakeClock();
  const audit = collectAudit();
  const health = new SessionHealth({ server, clock, audit, onChange: () => undefined });
  let oldHung = 0;
  let newHung = 0;
  health.watch(child(clock, false, () => (oldHung += 1)));
  health.watch(child(clock, false, () => (newHung += 1)));
  assert.equal(clock.pending.length, 1);
  await clock.advance(1000 + 200);
  await settle();
  assert.equal(oldHung, 0);
  assert.equal(newHung, 1);
  assert.deepEqual(audit.events(), ['health.fail']);
});
