import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OVER_SAMPLES, ResourceWatch, SAMPLE_MS } from '../../../src/supervisor/resource-watch.js';
import type { TreeUsage } from '../../../src/supervisor/tree-usage.js';
import { FakeClock } from './fakes.js';

const MiB = 1024 ** 2;

function watch(readings: (TreeUsage | null)[], maxMemory?: number) {
  const clock = new FakeClock();
  const events: string[] = [];
  let reads = 0;
  const w = new ResourceWatch({
    clock,
    read: () => {
      reads += 1;
      return readings.shift() ?? null;
    },
    maxMemory,
    onChange: () => events.push('change'),
    onOverLimit: (rss, limit) => events.push(`over ${rss} ${limit}`),
  });
  return { clock, events, w, reads: () => reads };
}

test('nothing is read before the first interval; the timer never keeps the process alive', async () => {
  const { clock, w, reads } = watch([{ cpuMs: 500, rssBytes: 10 * MiB, processes: 2 }]);
  assert.equal(reads(), 0);
  assert.equal(w.last, null);
  assert.deepEqual(clock.pending, [{ in: SAMPLE_MS, refed: false }]);
  await clock.advance(SAMPLE_MS);
  assert.equal(reads(), 1);
  w.stop();
  assert.deepEqual(clock.pending, []);
});

test('CPU percent is over the last interval; a change is reported only when it shows', async () => {
  const { clock, events, w } = watch([
    { cpuMs: 1000, rssBytes: 10 * MiB, processes: 2 },
    { cpuMs: 1000, rssBytes: 10 * MiB + 1000, processes: 2 },
    { cpuMs: 1500, rssBytes: 12 * MiB, processes: 3 },
    null,
  ]);
  await clock.advance(SAMPLE_MS);
  assert.deepEqual(w.last, {
    cpuPercent: 50,
    cpuSeconds: 1,
    rssBytes: 10 * MiB,
    processes: 2,
    at: clock.wall(),
  });
  assert.equal(events.length, 1);
  await clock.advance(SAMPLE_MS);
  assert.equal(w.last?.cpuPercent, 0);
  assert.equal(events.length, 2, 'the percent changed');
  await clock.advance(SAMPLE_MS);
  assert.equal(w.last?.cpuPercent, 25);
  assert.equal(w.last?.rssBytes, 12 * MiB);
  assert.equal(events.length, 3);
  await clock.advance(SAMPLE_MS);
  assert.equal(w.last, null, 'unreadable: no figures');
  assert.equal(events.length, 4);
  w.stop();
});

test('maxMemory: one sample above is let go; OVER_SAMPLES in a row are reported once', async () => {
  const high = { cpuMs: 0, rssBytes: 300 * MiB, processes: 1 };
  const low = { cpuMs: 0, rssBytes: 50 * MiB, processes: 1 };
  const { clock, events } = watch([high, low, ...Array<TreeUsage>(5).fill(high)], 256 * MiB);
  await clock.advance(SAMPLE_MS * 2);
  assert.ok(!events.some((e) => e.startsWith('over')), 'a peak is not a stay');
  await clock.advance(SAMPLE_MS * OVER_SAMPLES);
  assert.deepEqual(
    events.filter((e) => e.startsWith('over')),
    [`over ${300 * MiB} ${256 * MiB}`],
  );
  assert.deepEqual(clock.pending, [], 'no more samples of a child being stopped');
});

test('without maxMemory nothing is ever over', async () => {
  const { clock, events, w } = watch(
    Array<TreeUsage>(5).fill({ cpuMs: 0, rssBytes: 8 * 1024 ** 3, processes: 1 }),
  );
  await clock.advance(SAMPLE_MS * 5);
  assert.ok(!events.some((e) => e.startsWith('over')));
  w.stop();
});
