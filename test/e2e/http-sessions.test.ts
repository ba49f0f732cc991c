/**
 * `up --http`'s session limits end to end, through the built CLI with small configured values:
 * `--max-sessions` refuses one session more (503 with Retry-After, no child started for it) until
 * one ends; `--session-idle` ends a session no request came for, stops its child, and its id then
 * gets 404 while a new session takes its place; and `limits.callsPerMinute` counts per session.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectHttp, startHttpUp } from '../helpers/http-up.js';
import { INITIALIZE, postHeaders, rawRequest } from '../helpers/http-raw.js';
import { isAlive, readPids, tempDir, waitUntilDead } from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { lineValue } from '../helpers/prometheus.js';

const echo = (pidFile: string, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [join(FIXTURES, 'echo.mjs')],
  env: { PID_FILE: pidFile },
  sandbox: { mode: 'off' },
  ...extra,
});

test('up --http --max-sessions 1 --session-idle 2s: one session more gets 503 and Retry-After; an idle session is ended, its child stopped, its id then 404, and its place free', async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, 'echo.pid');
  const up = await startHttpUp(t, dir, { echo: echo(pidFile) }, [
    '--max-sessions',
    '1',
    '--session-idle',
    '2s',
  ]);
  const entry = up.entries.echo!;
  const [main] = await readPids(pidFile, 1);
  const a = await connectHttp(entry);
  const [, pidA] = await readPids(pidFile, 2);
  const sessionA = a.transport.sessionId!;
  const echoed = await a.client.callTool({ name: 'echo', arguments: { text: 'a' } });
  assert.deepEqual(echoed.content, [{ type: 'text', text: 'a' }]);

  const refused = await rawRequest(entry.url, {
    method: 'POST',
    headers: postHeaders(up.token),
    body: INITIALIZE,
  });
  assert.equal(refused.status, 503, refused.body);
  assert.equal(refused.headers['retry-after'], '5');
  assert.match(refused.body, /session cap reached: 1 sessions of 'echo'/);
  assert.equal(pidLines(pidFile), 2, 'no child started for it');

  // Nothing more is sent on session A: it is ended once idle, and its child stopped.
  await waitUntilDead(pidA!, 15_000, () => `the idle session's child; stderr:\n${up.stderr()}`);
  const gone = await rawRequest(entry.url, {
    method: 'POST',
    headers: postHeaders(up.token, {
      'mcp-session-id': sessionA,
      'mcp-protocol-version': '2025-06-18',
    }),
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
  });
  assert.equal(gone.status, 404, gone.body);

  const b = await connectHttp(entry);
  assert.notEqual(b.transport.sessionId, sessionA);
  const after = await b.client.callTool({ name: 'echo', arguments: { text: 'b' } });
  assert.deepEqual(after.content, [{ type: 'text', text: 'b' }]);
  assert.ok(isAlive(main!), "up's own child is not a session: it stays");
  await b.transport.terminateSession();
  await Promise.all([a.client.close().catch(() => undefined), b.client.close()]);
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());

  const stops = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"guard.stop"'))
    .map((line) => JSON.parse(line) as { session?: string; reason?: string });
  assert.match(
    String(stops.find((record) => record.session === sessionA)?.reason),
    /^http session ended/,
  );
});

test('up --http: limits.callsPerMinute counts per client session, each refusal audited in its session and counted by rule in /metrics', async (t) => {
  const dir = tempDir(t);
  // One call a minute: a second one within the test is over the budget.
  const up = await startHttpUp(t, dir, {
    echo: echo(join(dir, 'echo.pid'), { limits: { callsPerMinute: 1 } }),
  });
  const entry = up.entries.echo!;
  const a = await connectHttp(entry);
  const b = await connectHttp(entry);
  // A refused tools/call is a tool error the model can read (SPEC 6).
  const call = async (client: typeof a.client) => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    const text = (result.content as { text: string }[])[0]!.text;
    return result.isError === true ? `refused: ${text}` : text;
  };
  assert.equal(await call(a.client), 'x');
  assert.match(await call(a.client), /^refused: .*limits\.callsPerMinute/);
  // Session B has a budget of its own.
  assert.equal(await call(b.client), 'x');
  assert.match(await call(b.client), /^refused: .*limits\.callsPerMinute/);

  const metrics = await rawRequest(`${up.origin}/metrics`, {
    headers: { authorization: `Bearer ${up.token}` },
  });
  assert.equal(
    lineValue(metrics.body, 'mcp_guard_refusals_total{server="echo",rule="limits.callsPerMinute"}'),
    2,
    metrics.body,
  );
  const sessions = [a.transport.sessionId, b.transport.sessionId].sort();
  await Promise.all([a.transport.terminateSession(), b.transport.terminateSession()]);
  await Promise.all([a.client.close(), b.client.close()]);
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
  const denials = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"policy.deny"'))
    .map((line) => JSON.parse(line) as { session?: string; rule?: string; remote?: string });
  assert.deepEqual(
    denials
      .filter((d) => d.rule === 'limits.callsPerMinute')
      .map((d) => d.session)
      .sort(),
    sessions,
  );
});

function pidLines(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}
