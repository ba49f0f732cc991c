import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CountLatch } from '../../../src/supervisor/count-latch.js';

test('the first count after a snapshot announces one change; later counts none until the next snapshot', () => {
  let changes = 0;
  const latch = new CountLatch(() => (changes += 1));
  latch.counted();
  latch.counted();
  latch.counted();
  assert.equal(changes, 1);
  latch.shown();
  assert.equal(changes, 1, 'taking a snapshot announces nothing');
  latch.counted();
  latch.counted();
  assert.equal(changes, 2);
});
