import assert from 'node:assert/strict';
import { test } from 'node:test';
import { remembering } from '../../src/remembered.js';

/** A function that counts how often it really ran. */
function counted(): { runs: Map<string, number>; fn: (text: string) => string } {
  const runs = new Map<string, number>();
  return {
    runs,
    fn: (text) => {
      runs.set(text, (runs.get(text) ?? 0) + 1);
      return `<${text}>`;
    },
  };
}

void test('remembering: a text at the length limit is worked out once; one past it every time', () => {
  const { runs, fn } = counted();
  const remembered = remembering(fn, 4, 10);
  for (let i = 0; i < 3; i++) {
    assert.equal(remembered('abcd'), '<abcd>');
    assert.equal(remembered('abcde'), '<abcde>');
  }
  assert.equal(runs.get('abcd'), 1);
  assert.equal(runs.get('abcde'), 3);
});

void test('remembering: at the count limit all are kept; one more starts the memory over', () => {
  const { runs, fn } = counted();
  const remembered = remembering(fn, 8, 3);
  for (const text of ['a', 'b', 'c', 'a', 'b', 'c']) remembered(text);
  assert.deepEqual([...runs.values()], [1, 1, 1]);
  assert.equal(remembered('d'), '<d>');
  assert.equal(remembered('d'), '<d>');
  assert.equal(runs.get('d'), 1);
  // 'a' was let go when 'd' came: worked out again, with the same answer.
  assert.equal(remembered('a'), '<a>');
  assert.equal(runs.get('a'), 2);
});

void test('remembering: a falsy or undefined answer is remembered too', () => {
  let runs = 0;
  const remembered = remembering(
    () => {
      runs += 1;
      return undefined;
    },
    8,
    8,
  );
  remembered('x');
  remembered('x');
  assert.equal(runs, 1);
});
