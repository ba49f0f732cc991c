/**
 * `GET /metrics` end to end, through the built CLI: served by `up --http` (behind its token, on
 * its own listener) and by `up --metrics`; each scrape parses with a Prometheus text-format
 * parser, and its counters move with what is done: calls made by HTTP clients, a refusal by its
 * rule, the latency histogram's count, restarts after a kill; the children's state, CPU and
 * memory. `status` shows the same HTTP sessions (SPEC sections 2 and 8).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectHttp, startHttpUp, startUp } from '../helpers/http-up.js';
import { rawRequest } from '../helpers/http-raw.js';
import { readPids, tempDir, waitUntilDead } from '../helpers/guard-process.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { lineValue, parsePrometheus, sampleValue, type PromFamily } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait.js';

const echo = (dir: string, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [join(FIXTURES, 'echo.mjs')],
  env: { PID_FILE: join(dir, 'echo.pid') },
  sandbox: { mode: 'off' },
  restart: { policy: 'on-failure', backoff: { initial: 50, max: 1000 } },
  ...extra,
});

interface Scrape {
  text: string;
  families: PromFamily[];
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's `_count` for the method (the parser drops labelled histograms). */
  latencyCount(method: string): number;
}

async function scrape(url: string, token: string): Promise<Scrape> {
  const reply = await rawRequest(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(reply.status, 200, reply.body);
  assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheus(reply.body);
  return {
    text: reply.body,
    families,
    value: (name, labels = {}) => sampleValue(families, name, { server: 'echo', ...labels }),
    latencyCount: (method) =>
      lineValue(
        reply.body,
        `mcp_guard_request_duration_seconds_count{server="echo",method="${method}"}`,
      ),
  };
}

test('up --http serves GET /metrics behind its token; the counters move with the HTTP clients’ calls, refusals and restarts; status shows the sessions', async (t) => {
  const dir = tempDir(t);
  const up = await startHttpUp(t, dir, { echo: echo(dir, { tools: { deny: ['sleep'] } }) });
  const url = `${up.origin}/metrics`;
  assert.equal((await rawRequest(url)).status, 401);
  assert.equal(
    (await rawRequest(url, { headers: { authorization: `Bearer ${up.token}x` } })).status,
    401,
  );
  const foreign = { authorization: `Bearer ${up.token}`, origin: 'https://evil.example' };
  assert.equal((await rawRequest(url, { headers: foreign })).status, 403);

  const pidFile = join(dir, 'echo.pid');
  const a = await connectHttp(up.entries.echo!);
  const b = await connectHttp(up.entries.echo!);
  const [, , pidB] = await readPids(pidFile, 3);
  const before = await scrape(url, up.token);
  assert.equal(before.value('mcp_guard_server_state', { state: 'ready' }), 3, before.text);
  assert.equal(before.value('mcp_guard_tool_calls_total'), 0);
  const refusedBefore = before.value('mcp_guard_refusals_total', { rule: 'tools.deny' }) || 0;

  const call = (client: typeof a.client, text: string) =>
    client.callTool({ name: 'echo', arguments: { text } });
  await Promise.all([call(a.client, '1'), call(a.client, '2'), call(a.client, '3')]);
  await Promise.all([call(b.client, '4'), call(b.client, '5')]);
  const denied = await b.client.callTool({ name: 'sleep', arguments: { ms: 1 } }).then(
    (result) => result.isError === true,
    () => true,
  );
  assert.ok(denied, 'the denied call is refused');

  const after = await scrape(url, up.token);
  assert.equal(after.value('mcp_guard_tool_calls_total'), 5, after.text);
  assert.equal(
    after.value('mcp_guard_refusals_total', { rule: 'tools.deny' }),
    refusedBefore + 1,
    after.text,
  );
  assert.equal(
    after.latencyCount('tools/call') - (before.latencyCount('tools/call') || 0),
    5,
    after.text,
  );
  assert.equal(after.value('mcp_guard_server_restarts_total'), 0);

  // The sessions in status (its file is rewritten within a second of a change): one row for the
  // server, its children summed.
  type Row = { http?: { sessions: number; children: { session: string | null }[] } };
  const json = await waitFor(
    () => {
      const rows = status(dir, ['--json']) as Row[];
      return rows[0]?.http?.sessions === 2 ? rows : undefined;
    },
    10_000,
    'status never showed two sessions',
  );
  assert.equal(json.length, 1);
  assert.deepEqual(
    json[0]!.http!.children.map((child) => child.session).sort(),
    [a.transport.sessionId, b.transport.sessionId].sort(),
  );
  const table = String(status(dir, []));
  assert.match(table, /^SERVER\s+STATE\s+PID\s+GUARD\s+SESSIONS\s+UPTIME/m);
  assert.match(table, /^echo\s+ready\s+\d+\s+up \d+\s+2\s+/m);

  process.kill(pidB!, 'SIGKILL');
  await readPids(pidFile, 4, 15_000, () => up.stderr());
  const restarted = await waitFor(
    async () => {
      const now = await scrape(url, up.token);
      return now.value('mcp_guard_server_restarts_total') === 1 &&
        now.value('mcp_guard_server_state', { state: 'ready' }) === 3
        ? now
        : undefined;
    },
    15_000,
    () => `no restart counted; stderr:\n${up.stderr()}`,
  );
  assert.equal(restarted.value('mcp_guard_tool_calls_total'), 5);

  // Every child is sampled in time: their CPU and memory are summed per server.
  const sampled = await waitFor(
    async () => {
      const now = await scrape(url, up.token);
      return now.value('mcp_guard_server_processes') === 3 ? now : undefined;
    },
    15_000,
    () => `the children were never all sampled; stderr:\n${up.stderr()}`,
  );
  assert.ok(sampled.value('mcp_guard_server_resident_memory_bytes') > 3 * 10 * 1024 ** 2);
  assert.ok(sampled.value('mcp_guard_server_cpu_seconds_total') > 0);

  await a.transport.terminateSession();
  const [, pidA] = await readPids(pidFile, 2);
  await waitUntilDead(pidA!, 5000, () => `session A's child; stderr:\n${up.stderr()}`);
  const closed = await scrape(url, up.token);
  assert.equal(closed.value('mcp_guard_server_state', { state: 'ready' }), 2, closed.text);
  assert.equal(closed.value('mcp_guard_tool_calls_total'), 5, 'counters outlive the session');
  // What the ended session's child used stays counted: the CPU counter does not fall.
  assert.ok(
    closed.value('mcp_guard_server_cpu_seconds_total') >=
      sampled.value('mcp_guard_server_cpu_seconds_total'),
    closed.text,
  );
  await waitFor(
    () => (status(dir, ['--json']) as { http?: { sessions: number } }[])[0]?.http?.sessions === 1,
    10_000,
    'status never showed one session',
  );

  await b.transport.terminateSession();
  await Promise.all([a.client.close(), b.client.close()]);
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
});

test('up --metrics serves GET /metrics alone on a loopback port: the handshake’s latency, restarts after a kill, state, CPU and memory', async (t) => {
  const dir = tempDir(t);
  const up = await startUp(t, dir, { echo: echo(dir) }, ['--metrics', '127.0.0.1:0']);
  const url = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(up.stderr())?.[1];
  assert.ok(url !== undefined, up.stderr());
  const token = readFileSync(join(dir, '.mcp-guard', 'token'), 'utf8');
  assert.equal((await rawRequest(url)).status, 401);
  const host = { authorization: `Bearer ${token.trim()}`, host: 'evil.example' };
  assert.equal((await rawRequest(url, { headers: host })).status, 403);

  const first = await scrape(url, token.trim());
  assert.equal(first.value('mcp_guard_server_state', { state: 'ready' }), 1, first.text);
  assert.equal(first.latencyCount('initialize'), 1, first.text);
  assert.equal(first.latencyCount('tools/list'), 1, first.text);
  assert.equal(first.value('mcp_guard_server_restarts_total'), 0);
  assert.equal(first.value('mcp_guard_tool_calls_total'), 0, 'up itself calls no tool');

  const [pid] = await readPids(join(dir, 'echo.pid'), 1);
  process.kill(pid!, 'SIGKILL');
  const restarted = await waitFor(
    async () => {
      const now = await scrape(url, token.trim());
      return now.value('mcp_guard_server_restarts_total') === 1 &&
        now.value('mcp_guard_server_state', { state: 'ready' }) === 1 &&
        now.value('mcp_guard_server_processes') === 1
        ? now
        : undefined;
    },
    20_000,
    () => `no restart counted; stderr:\n${up.stderr()}`,
  );
  assert.ok(restarted.value('mcp_guard_server_resident_memory_bytes') > 10 * 1024 ** 2);
  assert.ok(sampleValue(restarted.families, 'mcp_guard_process_resident_memory_bytes') > 0);
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
});

test('up --metrics on a non-loopback address exits 2 and says why, before starting anything', (t) => {
  const dir = tempDir(t);
  const manifest = join(dir, 'mcp-guard.yaml');
  writeFileSync(manifest, JSON.stringify({ version: 1, servers: { echo: echo(dir) } }));
  const run = spawnSync(
    process.execPath,
    [CLI, 'up', '-c', manifest, '--metrics', '0.0.0.0:9464'],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /--metrics: refusing to listen on 0\.0\.0\.0/);
  assert.ok(!existsSync(join(dir, 'echo.pid')), 'no server was started');
});

function status(dir: string, args: string[]): unknown {
  const run = spawnSync(
    process.execPath,
    [CLI, 'status', '-c', join(dir, 'mcp-guard.yaml'), ...args],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  // The table and --json are what status is asked for: stdout, with nothing on stderr.
  assert.equal(run.stderr, '');
  return args.includes('--json') ? JSON.parse(run.stdout) : run.stdout;
}
