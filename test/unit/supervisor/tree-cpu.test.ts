import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTreeCpuMs, treeCpuMs } from '../../../src/supervisor/tree-cpu.js';

/** A /proc/<pid>/stat line with the fields treeCpuMs reads: ppid and the four CPU times. */
const stat = (pid: number, ppid: number, [u, s, cu, cs]: number[], comm = 'node') =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194304 97 0 0 0 ${u} ${s} ${cu} ${cs} 20 0 1 0`;

const PROC: Record<string, string> = {
  '1': stat(1, 0, [500, 500, 0, 0], 'init'),
  '10': stat(10, 1, [3, 1, 2, 0], 'bwrap'),
  '11': stat(11, 10, [0, 0, 0, 0], 'a (b) c'),
  '12': stat(12, 11, [40, 2, 0, 0]),
  '13': stat(13, 12, [7, 0, 0, 1], 'sh'),
  '20': stat(20, 1, [900, 0, 0, 0], 'other'),
};
const read = (pid: string) => {
  const line = PROC[pid];
  if (line === undefined) throw new Error('ENOENT');
  return line;
};

test('treeCpuMs: the root and every descendant, their reaped children included, in ms', () => {
  const entries = [...Object.keys(PROC), 'self', 'net', '99'];
  assert.equal(treeCpuMs(10, entries, read), (3 + 1 + 2 + 40 + 2 + 7 + 1) * 10);
  assert.equal(treeCpuMs(12, entries, read), (40 + 2 + 7 + 1) * 10, 'a subtree');
  assert.equal(treeCpuMs(13, entries, read), 80, 'a leaf');
  assert.equal(treeCpuMs(42, entries, read), null, 'a root that is gone');
});

test('readTreeCpuMs: this process on Linux; unknown elsewhere', () => {
  assert.equal(readTreeCpuMs(process.pid, 'darwin'), null);
  if (process.platform !== 'linux') return;
  const ms = readTreeCpuMs(process.pid);
  assert.equal(typeof ms, 'number');
  assert.ok(ms! >= 0);
});
