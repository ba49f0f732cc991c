import assert from 'node:assert/strict';
import { test } from 'node:test';
import { totalOf } from '../../../src/cli/http-children.js';
import { describeChange, renderLive } from '../../../src/cli/up-view.js';
import type { SessionSnapshot } from '../../../src/supervisor/guard-session.js';

const snapshot = (change: Partial<SessionSnapshot>): SessionSnapshot => ({
  server: 'files',
  state: 'ready',
  pid: 42,
  since: 1_000,
  restarts: 0,
  lastPing: null,
  calls: 3,
  denials: 1,
  usage: null,
  reason: null,
  ...change,
});

test('a line per change names the state, the pid, the restarts, and why only when it says something', () => {
  const table: [Partial<SessionSnapshot>, RegExp][] = [
    [{}, /^\d\d:\d\d:\d\d files ready pid 42$/],
    [{ restarts: 1 }, /files ready pid 42 \(1 restart\)$/],
    [{ restarts: 2 }, /\(2 restarts\)$/],
    [
      { state: 'restarting', pid: null, restarts: 1, reason: 'terminated by SIGKILL' },
      /files restarting \(1 restart\): terminated by SIGKILL$/,
    ],
    [{ state: 'starting', reason: 'terminated by SIGKILL' }, /files starting pid 42$/],
    [{ state: 'failed', pid: null, reason: '6 starts within 60000 ms' }, /failed: 6 starts/],
  ];
  for (const [change, expected] of table) assert.match(describeChange(snapshot(change)), expected);
});

test('the live table has one row per server with its figures', () => {
  const text = renderLive(
    [
      snapshot({
        lastPing: { ms: 1.2, at: 0 },
        usage: {
          cpuPercent: 12.34,
          cpuSeconds: 3.6,
          rssBytes: 48.4 * 1024 ** 2,
          processes: 2,
          at: 0,
        },
      }),
      snapshot({ server: 'memory', state: 'restarting', pid: null, since: null }),
      snapshot({ server: 'mac' }),
    ],
    66_000,
  );
  const [header, files, memory, mac] = text.split('\n');
  assert.match(
    header!,
    /^SERVER\s+STATE\s+PID\s+UPTIME\s+RESTARTS\s+PING\s+CALLS\s+DENIED\s+CPU\s+MEM$/,
  );
  assert.match(files!, /^files\s+ready\s+42\s+1 m 5 s\s+0\s+1.2 ms\s+3\s+1\s+12.3% 4 s\s+48 MiB$/);
  assert.match(memory!, /^memory\s+restarting\s+-\s+-\s+0\s+-\s+3\s+1\s+-\s+-$/);
  assert.match(mac!, /\s+n\/a\s+n\/a$/, 'running, but its usage cannot be read here');
});

test('under up --http a server’s row counts its client sessions and sums its children’s figures', () => {
  const usage = (cpuPercent: number, cpuSeconds: number, mib: number) => ({
    cpuPercent,
    cpuSeconds,
    rssBytes: mib * 1024 ** 2,
    processes: 1,
    at: 0,
  });
  const own = snapshot({ usage: usage(1, 2, 40), calls: 0, denials: 0 });
  const child = (session: string | null, change: Partial<SessionSnapshot>) => ({
    ...snapshot(change),
    session,
    remote: session === null ? null : '127.0.0.1:5000',
  });
  const children = [
    child('a', { pid: 43, usage: usage(10, 3, 50), calls: 4, denials: 1, restarts: 1 }),
    child('b', { pid: 44, usage: null, calls: 2, denials: 0 }),
    child(null, { pid: 45, usage: usage(0.5, 1, 30), calls: 1, denials: 0 }),
  ];
  const total = totalOf([own, ...children]);
  assert.deepEqual(total, {
    children: 4,
    restarts: 1,
    calls: 7,
    denials: 1,
    usage: { cpuPercent: 11.5, cpuSeconds: 6, rssBytes: 120 * 1024 ** 2, processes: 3 },
  });
  const http = { sessions: 2, stateless: true, children, total };
  const [header, row] = renderLive([{ ...own, http }], 66_000).split('\n');
  assert.match(header!, /^SERVER\s+STATE\s+PID\s+SESSIONS\s+UPTIME\s+RESTARTS\s+PING\s+CALLS/);
  assert.match(
    row!,
    /^files\s+ready\s+42\s+2 \+ shared\s+1 m 5 s\s+1\s+-\s+7\s+1\s+11.5% 6 s\s+120 MiB$/,
  );
  assert.match(
    describeChange({ ...own, http }),
    /files ready pid 42; http: 2 \+ shared session\(s\)$/,
  );
  assert.deepEqual(totalOf([snapshot({ pid: null })]).usage, null, 'nothing sampled: n/a');
});
