import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  coverOwnLogs,
  inheritedDescriptors,
  isOwnV8Log,
} from '../../../src/supervisor/inherited-fds.js';

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
  assert.deepEqual(
    inheritedDescriptors(entries, read, [], (fd) => fd === 7),
    [9],
    "V8's own log file is left to V8",
  );
});

test("V8's own log files are told apart by names carrying this process's pid", () => {
  assert.equal(isOwnV8Log('/tmp/perf-4242.map', 4242), true, '--perf-basic-prof');
  assert.equal(isOwnV8Log('/home/u/project/jit-4242.dump', 4242), true, '--perf-prof');
  assert.equal(isOwnV8Log('/home/u/isolate-0x5f3a2c0-4242-v8.log', 4242), true, '--prof');
  assert.equal(isOwnV8Log('/tmp/perf-4243.map', 4242), false, "another process's map");
  assert.equal(isOwnV8Log('/tmp/perf-42420.map', 4242), false);
  assert.equal(isOwnV8Log('/home/u/isolate-0x5f3a2c0-14242-v8.log', 4242), false);
  assert.equal(isOwnV8Log('/home/u/.ssh/id_ed25519', 4242), false);
  assert.equal(isOwnV8Log('/tmp/perf-4242.map/secret', 4242), false, 'only the name counts');
  assert.equal(isOwnV8Log('pipe:[81234]', 4242), false);
});

test("a spawn puts /dev/null on V8's own log descriptors in the child", () => {
  // stdio, then one channel (entries 0–3 are pipes): 3 is covered by its pipe already.
  assert.deepEqual(coverOwnLogs(4, [3], 99), []);
  assert.deepEqual(coverOwnLogs(3, [3], 99), [99]);
  assert.deepEqual(coverOwnLogs(3, [6], 99), ['ignore', 'ignore', 'ignore', 99]);
  assert.deepEqual(coverOwnLogs(4, [7, 5], 99), ['ignore', 99, 'ignore', 99], 'in order');
  assert.deepEqual(coverOwnLogs(3, [], 99), []);
});
