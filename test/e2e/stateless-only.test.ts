/**
 * A server of the stateless era only (MCP 2026-07-28: it refuses `initialize`), end to end through
 * the built CLI: the v2 SDK's client, pinned to 2026-07-28, in front of it through `run` — ready
 * after the server's first answer, restarted when it stops answering (health by server/discover),
 * the same client going on with the new child; and `up`, `status`, `pin` and `pin --check` open it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { fixtureCommand } from '../helpers/fixtures.js';
import { guardCommand, resultText, stepper } from '../helpers/guarded.js';
import { CLI } from '../helpers/paths.js';
import { killAll, killTreeAfter, testDir } from '../helpers/processes.js';
import { waitFor, waitOn } from '../helpers/wait.js';

const HEALTH = { interval: 200, timeout: 200, failures: 2 };

void test('a stateless-only server behind run: ready after its first answer, restarted when it stops answering, the client goes on', async (t) => {
  const dir = await testDir(t);
  const guarded = guardCommand(dir, fixtureCommand('stateless-only'), {
    entry: { health: HEALTH, restart: { backoff: { initial: 50, max: 1000 } } },
  });
  const transport = new StdioClientTransport({
    ...guarded.command,
    env: { ...(process.env as Record<string, string>), ...guarded.env },
    cwd: dir.path,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client(
    { name: 'mcp-guard-test', version: '0.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  const step = stepper(() => stderr);
  await step('connect', client.connect(transport));
  t.after(() => killAll(transport.pid === null ? [] : [transport.pid]));
  const text = async (name: string, args: Record<string, unknown> = {}) =>
    resultText(await step(name, client.callTool({ name, arguments: args })));
  const { tools } = await step('tools/list', client.listTools());
  assert.deepEqual(tools.map((tool) => tool.name).sort(), ['echo', 'freeze', 'pid']);
  // The records of this client's session (the one of the last guard.start).
  const session = () => {
    const records = guarded.audit();
    const start = records.findLast((r) => r.event === 'guard.start');
    return records.filter((r) => r.session === start?.session);
  };
  const readyStates = () => session().filter((r) => r.event === 'server.state' && r.to === 'ready');
  await step(
    'ready',
    waitFor(
      () => readyStates().length > 0 || undefined,
      10_000,
      () => stderr,
    ),
  );
  assert.equal(readyStates().length, 1);
  const first = Number(await text('pid'));
  assert.equal(await text('echo', { text: 'hello' }), 'hello');
  assert.match(await text('freeze'), /^frozen/);
  const hung = await step(
    'the child killed as hung',
    guarded.waitForAudit(
      (r) => r.event === 'child.exit' && r.hung === true,
      20_000,
      () => stderr,
    ),
  );
  assert.equal(hung.pid, first);
  // The failed probes in a row that ended it (a late answer of the healthy child earlier is a
  // failure of its own, reset by the next answer).
  const fails = session().filter((r) => r.event === 'health.fail' && r.pid === first);
  assert.deepEqual(
    fails.slice(-HEALTH.failures).map((r) => [r.failures, r.of]),
    [
      [1, HEALTH.failures],
      [2, HEALTH.failures],
    ],
    JSON.stringify(fails),
  );
  await step(
    'ready again on a new child',
    waitFor(
      () => readyStates().length >= 2 || undefined,
      20_000,
      () => stderr,
    ),
  );
  const second = Number(await text('pid'));
  assert.notEqual(second, first);
  assert.equal(await text('echo', { text: 'again' }), 'again');
  // Nothing of the old era was sent to either child: no initialize and no ping reached them.
  const requests = guarded
    .audit()
    .filter((r) => r.event === 'rpc.request')
    .map((r) => r.method);
  assert.equal(requests.includes('initialize'), false, JSON.stringify(requests));
  await client.close();
  assert.equal(stderr.includes('Unsupported'), false, stderr);
});

void test('a stateless-only server: up shows it ready with its tools, status reports it, pin and pin --check list them', async (t) => {
  const dir = await testDir(t);
  const guarded = guardCommand(dir, fixtureCommand('stateless-only'), {
    name: 'modern',
    entry: { sandbox: { mode: 'off' }, tools: { pin: 'warn' } },
  });
  const env = { ...process.env, ...guarded.env };
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '-c', guarded.manifest], {
      cwd: dir.path,
      encoding: 'utf8',
      env,
      timeout: 30_000,
    });
  const pinned = cli('pin');
  assert.equal(pinned.status, 0, pinned.stderr);
  const lock = JSON.parse(readFileSync(dir.join('mcp-guard.lock'), 'utf8')) as {
    servers: Record<string, { tools: Record<string, unknown> }>;
  };
  assert.deepEqual(Object.keys(lock.servers.modern!.tools).sort(), ['echo', 'freeze', 'pid']);
  const checked = cli('pin', '--check');
  assert.equal(checked.status, 0, checked.stderr);

  const up = spawn(process.execPath, [CLI, 'up', '-c', guarded.manifest], {
    cwd: dir.path,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killTreeAfter(t, up);
  let stderr = '';
  let stdout = '';
  up.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  up.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = once(up, 'exit');
  // The handshake table is up's output (stdout).
  await waitOn(
    up.stdout,
    'data',
    () => /^modern .* ms$/m.test(stdout),
    20_000,
    () => `${stdout}\n${stderr}`,
  );
  assert.match(stdout, /modern\s+\d+\s+ready\s+2026-07-28\s+3\s+-\s+-\s+\d+ ms/);
  await waitOn(
    up.stderr,
    'data',
    () => /Press Ctrl-C to stop/.test(stderr),
    20_000,
    () => stderr,
  );
  const status = cli('status', '--json');
  assert.equal(status.status, 0, status.stderr);
  const [row] = JSON.parse(status.stdout) as { server: string; state: string }[];
  assert.deepEqual([row?.server, row?.state], ['modern', 'ready']);
  up.kill('SIGINT');
  const [code] = (await waitFor(exited, 20_000, () => stderr)) as [number | null];
  assert.equal(code, 0, stderr);
});
