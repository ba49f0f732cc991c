import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIsoTime, isoTimeOncePerMillisecond } from '../../../src/audit/timestamp.js';

const expected = (ms: number) => `,"time":"${new Date(ms).toISOString()}"`;

void test('the time member is toISOString, whatever the milliseconds and across seconds', () => {
  let clock = 0;
  const time = createIsoTime(() => clock);
  const start = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
  const steps = [0, 1, 5, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 1010, 2000, 2010, 86_400_000];
  for (const step of steps) {
    clock = start + step;
    assert.equal(time(), expected(clock), `at ${clock}`);
    assert.equal(time(), expected(clock), 'the same millisecond again');
  }
  for (const edge of [0, 999, 1000, -1, -1001, 253_402_300_799_999, 253_402_300_800_000]) {
    clock = edge;
    assert.equal(time(), expected(edge), `at ${edge}`);
  }
});

void test('the shared clock writes the present', () => {
  const before = Date.now();
  const text = isoTimeOncePerMillisecond();
  const written = Date.parse(/"time":"([^"]+)"/.exec(text)![1]!);
  assert.ok(written >= before && written <= Date.now());
});
