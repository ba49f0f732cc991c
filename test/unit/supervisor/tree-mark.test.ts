import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  carriesMark,
  markedAmong,
  newTreeMark,
  TREE_MARK_VAR,
} from '../../../src/supervisor/tree-mark.js';

const MARK = '0123456789abcdef0123456789abcdef';

test('a mark is 128 random bits in hex, new each time', () => {
  const mark = newTreeMark();
  assert.match(mark, /^[0-9a-f]{32}$/);
  assert.notEqual(newTreeMark(), mark);
});

test('carriesMark: only the whole entry NAME=mark, anywhere in the block', () => {
  const table: [string, boolean][] = [
    [`${TREE_MARK_VAR}=${MARK}\0`, true],
    [`HOME=/h\0${TREE_MARK_VAR}=${MARK}\0PATH=/bin\0`, true],
    [`HOME=/h\0${TREE_MARK_VAR}=${MARK}`, true],
    [`${TREE_MARK_VAR}=${MARK}0\0`, false],
    [`${TREE_MARK_VAR}=${MARK.slice(1)}\0`, false],
    [`X_${TREE_MARK_VAR}=${MARK}\0`, false],
    [`NOTE=${TREE_MARK_VAR}=${MARK}\0`, false],
    [`${TREE_MARK_VAR}= ${MARK}\0`, false],
    ['', false],
  ];
  for (const [environ, expected] of table) {
    assert.equal(carriesMark(environ, MARK), expected, JSON.stringify(environ));
  }
});

test('markedAmong: pids whose environ carries the mark; unreadable, gone and non-pids skipped', () => {
  const environs: Record<string, string> = {
    '10': `${TREE_MARK_VAR}=${MARK}\0`,
    '11': `${TREE_MARK_VAR}=other\0`,
    '12': '', // a zombie's environ is empty
    '13': `A=1\0${TREE_MARK_VAR}=${MARK}\0`,
  };
  const read = (pid: string): string => {
    const environ = environs[pid];
    if (environ === undefined) throw new Error('EACCES');
    return environ;
  };
  const entries = ['self', 'net', '10', '11', '12', '13', '14'];
  assert.deepEqual(markedAmong(entries, read, MARK), [10, 13]);
});
