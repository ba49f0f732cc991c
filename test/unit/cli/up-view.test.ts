import assert from 'node:assert/strict';
import { test } from 'node:test';
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
