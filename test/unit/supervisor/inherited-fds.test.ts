import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inheritedDescriptors } from '../../../src/supervisor/inherited-fds.js';

test('descriptors above 2 without close-on-exec are the inherited ones', () => {
  const info: Record<number, string> = {
    0: 'pos:\t0\nflags:\t02\n',
    3: 'pos:\t0\nflags:\t02000002\nmnt_id:\t15\n',
    7: 'pos:\t0\nflags:\t0100000\n',
    9: 'pos:\t0\nflags:\t01\n',
    12: 'pos:\t0\nflags:\t02004000\n',
  };
  const read = (fd: number): string => {
    const text = info[fd];
    if (text === undefined) throw new Error('ENOENT');
    return text;
  };
  const entries = ['0', '3', '7', '9', '12', '40'];
  assert.deepEqual(inheritedDescriptors(entries, read), [7, 9]);
  assert.deepEqual(inheritedDescriptors(entries, read, [9]), [7], "Node's IPC channel is kept");
});
