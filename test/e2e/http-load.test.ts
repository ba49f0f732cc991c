/**
 * `up --http` under a bounded load on loopback: 32 client sessions, each with a child of its own,
 * making 200 calls each, all at once. Every call is answered with its own text, and when `up`
 * stops, no process of it is left.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectHttp, startHttpUp } from '../helpers/http-up.js';
import { readPids, tempDir, waitUntilDead } from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';

const SESSIONS = 32;
const CALLS = 200;

test(`up --http: ${SESSIONS} sessions × ${CALLS} calls lose no request and leave no process`, async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, 'echo.pid');
  const up = await startHttpUp(
    t,
    dir,
    {
      echo: {
        command: process.execPath,
        args: [join(FIXTURES, 'echo.mjs')],
        env: { PID_FILE: pidFile },
        sandbox: { mode: 'off' },
        limits: { callsPerMinute: SESSIONS * CALLS },
      },
    },
    ['--max-sessions', String(SESSIONS)],
  );
  const sessions = await Promise.all(
    Array.from({ length: SESSIONS }, () => connectHttp(up.entries.echo!)),
  );
  const answered = await Promise.all(
    sessions.map(async ({ client }, s) => {
      let right = 0;
      for (let i = 0; i < CALLS; i += 1) {
        const text = `s${s}-c${i}`;
        const result = await client.callTool({ name: 'echo', arguments: { text } }, undefined, {
          timeout: 60_000,
        });
        assert.deepEqual(result.content, [{ type: 'text', text }]);
        right += 1;
      }
      return right;
    }),
  );
  assert.equal(
    answered.reduce((a, b) => a + b, 0),
    SESSIONS * CALLS,
  );
  const pids = await readPids(pidFile, SESSIONS + 1);
  assert.equal(new Set(pids).size, SESSIONS + 1, "one child per session, and up's own");
  await Promise.all(sessions.map(({ client }) => client.close()));
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
  for (const pid of pids) await waitUntilDead(pid, 5000, () => `a child; stderr:\n${up.stderr()}`);
});
