import assert from 'node:assert/strict';
import { test } from 'node:test';
import { livingMembers, parseStat, processAlive } from '../../../src/supervisor/process-group.js';

const stat = (pid: number, comm: string, state: string, pgrp: number) =>
  `${pid} (${comm}) ${state} 1 ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0`;

test('living members of a group: zombies, other groups and odd names', () => {
  const table: Record<string, string> = {
    '100': stat(100, 'node', 'S', 100),
    '101': stat(101, 'node', 'Z', 100),
    '102': stat(102, 'weird ) (name', 'R', 100),
    '103': stat(103, 'sh', 'S', 200),
    '104': stat(104, 'dead', 'X', 100),
  };
  const entries = ['self', '100', '101', '102', '103', '104', '105'];
  const read = (pid: string): string => {
    const line = table[pid];
    if (line === undefined) throw new Error('ENOENT');
    return line;
  };
  assert.equal(livingMembers(100, entries, read), 2);
  assert.equal(livingMembers(200, entries, read), 1);
  assert.equal(livingMembers(300, entries, read), 0);
  delete table['100'];
  delete table['102'];
  assert.equal(livingMembers(100, entries, read), 0, 'only zombies left: the group is gone');
});

test('processAlive: this process is alive; a pid above pid_max is not', () => {
  assert.equal(processAlive(process.pid), true);
  assert.equal(processAlive(99_999_999), false);
});

test('parseStat reads state, ppid and pgrp after the last parenthesis of comm', () => {
  assert.deepEqual(parseStat('42 (a (b) c) S 7 42 42 0'), {
    living: true,
    ppid: 7,
    pgrp: 42,
    cpuTicks: 0,
    rssPages: 0,
  });
  assert.equal(parseStat('43 (x) Z 7 42 42 0').living, false);
  assert.equal(parseStat('44 (x) X 7 42 42 0').living, false);
});
