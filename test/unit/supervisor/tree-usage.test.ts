import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  readTreeCpuMs,
  readTreeUsage,
  scanTreeUsage,
  treeCpuMs,
} from '../../../src/supervisor/tree-usage.js';

/** A /proc/<pid>/stat line with the fields read: ppid, the four CPU times and rss (pages). */
const stat = (pid: number, ppid: number, [u, s, cu, cs]: number[], comm = 'node', rss = 0) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194304 97 0 0 0 ${u} ${s} ${cu} ${cs} 20 0 1 0 5 900 ${rss} 1844`;

const PROC: Record<string, string> = {
  '1': stat(1, 0, [500, 500, 0, 0], 'init', 100),
  '10': stat(10, 1, [3, 1, 2, 0], 'bwrap', 10),
  '11': stat(11, 10, [0, 0, 0, 0], 'a (b) c', 20),
  '12': stat(12, 11, [40, 2, 0, 0], 'node', 300),
  '13': stat(13, 12, [7, 0, 0, 1], 'sh', 5),
  '20': stat(20, 1, [900, 0, 0, 0], 'other', 7000),
};
const read = (pid: string) => {
  const line = PROC[pid];
  if (line === undefined) throw new Error('ENOENT');
  return line;
};
const entries = [...Object.keys(PROC), 'self', 'net', '99'];

test('treeCpuMs: the root and every descendant, their reaped children included, in ms', () => {
  assert.equal(treeCpuMs(10, entries, read), (3 + 1 + 2 + 40 + 2 + 7 + 1) * 10);
  assert.equal(treeCpuMs(12, entries, read), (40 + 2 + 7 + 1) * 10, 'a subtree');
  assert.equal(treeCpuMs(13, entries, read), 80, 'a leaf');
  assert.equal(treeCpuMs(42, entries, read), null, 'a root that is gone');
});

test('scanTreeUsage: RSS of the tree in bytes, and how many processes it holds', () => {
  assert.deepEqual(scanTreeUsage(10, entries, read, 4096), {
    cpuMs: 560,
    rssBytes: (10 + 20 + 300 + 5) * 4096,
    processes: 4,
  });
  assert.deepEqual(scanTreeUsage(13, entries, read, 16384), {
    cpuMs: 80,
    rssBytes: 5 * 16384,
    processes: 1,
  });
  assert.equal(scanTreeUsage(42, entries, read, 4096), null);
});

test('readTreeCpuMs and readTreeUsage: unknown off Linux', () => {
  assert.equal(readTreeCpuMs(process.pid, 'darwin'), null);
  assert.equal(readTreeUsage(process.pid, 'win32'), null);
});

test('readTreeUsage: a real tree matches /proc, children included', async (t) => {
  if (process.platform !== 'linux') return;
  // It says when it has started: a node still starting grows by about a megabyte a millisecond.
  const child = spawn(
    process.execPath,
    ['-e', 'setInterval(() => {}, 1000); process.stdout.write("up\\n")'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  t.after(() => child.kill('SIGKILL'));
  await once(child.stdout, 'data');
  const pid = child.pid!;
  const pages = (p: number | string) =>
    Number(readFileSync(`/proc/${p}/statm`, 'utf8').split(' ')[1]);
  const own = process.memoryUsage.rss();
  const usage = readTreeUsage(process.pid)!;
  assert.ok(usage.processes >= 2, `this process and its child: ${usage.processes}`);
  assert.ok(usage.rssBytes > own, 'more than this process alone');
  // statm just before and just after: the reading lies between them, give or take a little.
  const pageBytes = 2 ** Math.round(Math.log2(process.memoryUsage.rss() / pages('self')));
  const low = pages(pid) * pageBytes;
  const alone = readTreeUsage(pid)!;
  const high = pages(pid) * pageBytes;
  assert.equal(alone.processes, 1);
  const slack = 4 * 1024 ** 2;
  assert.ok(
    alone.rssBytes > Math.min(low, high) - slack && alone.rssBytes < Math.max(low, high) + slack,
    `${alone.rssBytes} vs statm ${low} … ${high}`,
  );
  // The walk by children files and the scan of /proc agree on the tree.
  const scanned = scanTreeUsage(
    process.pid,
    readdirSync('/proc'),
    (p) => readFileSync(`/proc/${p}/stat`, 'utf8'),
    4096,
  )!;
  assert.equal(scanned.processes, readTreeUsage(process.pid)!.processes);
});
