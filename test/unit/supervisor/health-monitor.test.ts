import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OwnRequestTimeout } from '../../../src/relay/own-requests.js';
import { HealthMonitor, type HealthProbe } from '../../../src/supervisor/health-monitor.js';
import { collectAudit, FakeClock, settle } from './fakes.js';

const health = { interval: 1000, timeout: 200, failures: 2 };

/** A probe whose pings the test answers, lets time out, or fails with an error answer. */
function setup(options: { isCurrent?: () => boolean } = {}) {
  const clock = new FakeClock();
  const audit = collectAudit();
  const pings: { answer: () => void; timeOut: () => void; error: () => void }[] = [];
  const state = {
    inFlight: 0,
    lastTraffic: 0,
    lastStderr: 0,
    cpu: 0 as number | null,
    cpuReads: 0,
  };
  const probe: HealthProbe = {
    ping: (timeoutMs) =>
      new Promise((resolve, reject) => {
        pings.push({
          answer: () => resolve({}),
          timeOut: () => reject(new OwnRequestTimeout(`ping timed out after ${timeoutMs} ms`)),
          error: () => reject(new Error('-32601: Method not found')),
        });
      }),
    inFlight: () => state.inFlight,
    lastTraffic: () => state.lastTraffic,
    lastStderr: () => state.lastStderr,
    cpuMs: () => {
      state.cpuReads += 1;
      return state.cpu;
    },
  };
  const answers: { ms: number; at: number }[] = [];
  let hung = 0;
  const monitor = new HealthMonitor({
    health,
    clock,
    probe,
    audit,
    server: 'srv',
    pid: 42,
    isCurrent: options.isCurrent ?? (() => true),
    onAnswer: (ping) => answers.push(ping),
    onHung: () => (hung += 1),
  });
  return { clock, audit, pings, state, monitor, answers, hung: () => hung };
}

/** The next ping goes out (one interval on), then `after` ms pass and `end` settles it. */
async function ping(
  t: ReturnType<typeof setup>,
  after: number,
  end: 'answer' | 'timeOut' | 'error',
) {
  const count = t.pings.length;
  await t.clock.advance(health.interval);
  assert.equal(t.pings.length, count + 1, 'a ping went out');
  await t.clock.advance(after);
  t.pings[count]![end]();
  await settle();
}

test('a ping every interval; an answer reports its round trip and the next one is scheduled', async () => {
  const t = setup();
  t.monitor.start();
  assert.deepEqual(t.clock.pending, [{ in: 1000, refed: false }], 'one unref-ed timer');
  await t.clock.advance(999);
  assert.equal(t.pings.length, 0);
  await t.clock.advance(1);
  assert.equal(t.pings.length, 1);
  await t.clock.advance(12);
  t.pings[0]!.answer();
  await settle();
  assert.deepEqual(t.answers, [{ ms: 12, at: t.clock.origin + 1012 }]);
  assert.deepEqual(t.clock.pending, [{ in: 1000, refed: false }]);
  assert.deepEqual(t.audit.records, []);
});

test('two silent pings in a row: health.fail each time, then hung, and no more pings', async () => {
  const t = setup();
  t.monitor.start();
  await ping(t, 200, 'timeOut');
  assert.deepEqual(t.audit.records, [
    {
      event: 'health.fail',
      fields: { pid: 42, reason: 'no answer to ping within 200 ms', failures: 1, of: 2 },
      level: 'warn',
    },
  ]);
  assert.equal(t.hung(), 0);
  await ping(t, 200, 'timeOut');
  assert.equal(t.audit.records[1]!.fields.failures, 2);
  assert.equal(t.hung(), 1);
  assert.deepEqual(t.clock.pending, [], 'the loop has ended');
});

test('an answer in between resets the count', async () => {
  const t = setup();
  t.monitor.start();
  await ping(t, 200, 'timeOut');
  await ping(t, 5, 'answer');
  await ping(t, 200, 'timeOut');
  assert.equal(t.hung(), 0);
  assert.deepEqual(
    t.audit.records.map((r) => r.fields.failures),
    [1, 1],
  );
});

test('an error answer proves the server alive', async () => {
  const t = setup();
  t.monitor.start();
  await ping(t, 3, 'error');
  await ping(t, 3, 'error');
  assert.equal(t.hung(), 0);
  assert.equal(t.answers.length, 2);
});

test('busy is not hung: traffic from the server, or CPU use or a log line with a request in flight, excuses silence', async () => {
  const t = setup();
  t.monitor.start();
  t.state.lastTraffic = t.clock.now() + health.interval + 50; // bytes came during the next wait
  await ping(t, 200, 'timeOut');
  // A request in flight, and the tree computes through the wait (150 ms of CPU in 200 ms).
  t.state.inFlight = 1;
  await t.clock.advance(health.interval);
  t.state.cpu = 150;
  await t.clock.advance(200);
  t.pings[1]!.timeOut();
  await settle();
  // Or it logs on stderr meanwhile.
  await t.clock.advance(health.interval);
  t.state.lastStderr = t.clock.now() + 10;
  await t.clock.advance(200);
  t.pings[2]!.timeOut();
  await settle();
  assert.equal(t.hung(), 0);
  assert.deepEqual(t.audit.records, []);
});

test('a request in flight alone excuses nothing: silent, no CPU, two pings, hung mid-call', async () => {
  const t = setup();
  t.monitor.start();
  t.state.inFlight = 1;
  t.state.cpu = 4_000; // what the tree used before; none of it during the waits
  await ping(t, 200, 'timeOut');
  await ping(t, 200, 'timeOut');
  assert.equal(t.hung(), 1);
  assert.deepEqual(
    t.audit.records.map((r) => r.fields.reason),
    [
      'no answer to ping within 200 ms, with a request in flight, no output and 0 ms of CPU in 200 ms',
      'no answer to ping within 200 ms, with a request in flight, no output and 0 ms of CPU in 200 ms',
    ],
  );
});

test('the CPU time is read only with a request in flight, and not after an answer', async () => {
  const t = setup();
  t.monitor.start();
  await ping(t, 200, 'timeOut');
  await ping(t, 5, 'answer');
  assert.equal(t.state.cpuReads, 0);
  t.state.inFlight = 1;
  await ping(t, 5, 'answer');
  assert.equal(t.state.cpuReads, 1, 'once, when the ping went out');
  await ping(t, 200, 'timeOut');
  assert.equal(t.state.cpuReads, 3, 'and once more when it went unanswered');
});

test('CPU time unknown (not Linux), or a request that came mid-wait: in flight counts as busy', async () => {
  const t = setup();
  t.monitor.start();
  t.state.inFlight = 1;
  t.state.cpu = null;
  await ping(t, 200, 'timeOut');
  await ping(t, 200, 'timeOut');
  t.state.cpu = 0;
  t.state.inFlight = 0;
  await t.clock.advance(health.interval);
  t.state.inFlight = 1; // arrived after the ping went out: no reading to compare with
  await t.clock.advance(200);
  t.pings[2]!.timeOut();
  await settle();
  assert.equal(t.hung(), 0);
  assert.deepEqual(t.audit.records, []);
});

test('a clock jump discards the ping (health.skip) and leaves the count as it was', async () => {
  const t = setup();
  t.monitor.start();
  await ping(t, 200, 'timeOut');
  await t.clock.advance(health.interval);
  t.clock.jumpWall(60_000);
  await t.clock.advance(200);
  t.pings[1]!.timeOut();
  await settle();
  assert.equal(t.hung(), 0);
  assert.equal(t.audit.records[1]!.event, 'health.skip');
  assert.match(t.audit.records[1]!.fields.reason as string, /^clock jump/);
  await ping(t, 200, 'timeOut');
  assert.equal(t.hung(), 1, 'the earlier failure still counted');
});

test('a ping that ends after the child stopped being current is not judged', async () => {
  let current = true;
  const t = setup({ isCurrent: () => current });
  t.monitor.start();
  await t.clock.advance(health.interval);
  current = false;
  t.pings[0]!.timeOut();
  await settle();
  assert.deepEqual(t.audit.records, []);
  assert.deepEqual(t.clock.pending, [], 'and none follows');
});

test('stop() cancels the next ping; a child that is no longer current gets none', async () => {
  const t = setup();
  t.monitor.start();
  t.monitor.stop();
  await t.clock.advance(5 * health.interval);
  assert.equal(t.pings.length, 0);
  const u = setup({ isCurrent: () => false });
  u.monitor.start();
  await u.clock.advance(health.interval);
  assert.equal(u.pings.length, 0);
});
