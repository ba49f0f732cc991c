/**
 * `mcp-guard up`: every manifest server started through the same core as `run`, handshaken, shown
 * in a status table, and all stopped cleanly on Ctrl-C (SIGINT) or SIGTERM. The tables and the
 * lines of the view are its output (stdout); its messages and the servers' stderr go to stderr.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isAlive, readPids, tempDir, waitUntilDead } from '../helpers/guard-process.js';
import { CLI, FIXTURES, SERVER_EVERYTHING } from '../helpers/paths.js';
import { killTreeAfter } from '../helpers/processes.js';
import { waitFor, waitOn } from '../helpers/wait.js';

function startUp(
  t: TestContext,
  dir: string,
  servers: Record<string, unknown>,
  extra: string[] = [],
) {
  const manifest = join(dir, 'mcp-guard.yaml');
  writeFileSync(
    manifest,
    JSON.stringify({ version: 1, audit: { file: 'audit.jsonl' }, servers }, null, 2),
  );
  const child = spawn(process.execPath, [CLI, 'up', '-c', manifest, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killTreeAfter(t, child);
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  // 'close': its stdout and stderr read to the end, not only the process gone.
  const exit = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const exited = () => waitFor(exit, 30_000, () => `up did not exit; stderr:\n${stderr}`);
  const waitForStderr = async (pattern: RegExp, timeoutMs = 20_000): Promise<void> => {
    await waitOn(
      child.stderr,
      'data',
      () => pattern.test(stderr),
      timeoutMs,
      () => `stderr never matched ${pattern}; stderr:\n${stderr}`,
    );
  };
  const waitForStdout = async (pattern: RegExp, timeoutMs = 20_000): Promise<void> => {
    await waitOn(
      child.stdout,
      'data',
      () => pattern.test(stdout),
      timeoutMs,
      () => `stdout never matched ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  };
  return {
    child,
    exited,
    waitForStderr,
    waitForStdout,
    stderr: () => stderr,
    stdout: () => stdout,
  };
}

// Unconfined: the pids a fixture writes must be host pids (a sandbox's PID namespace renumbers).
const fixture = (dir: string, name: string, file: string) => ({
  command: process.execPath,
  args: [join(FIXTURES, file)],
  env: { PID_FILE: join(dir, `${name}.pid`) },
  sandbox: { mode: 'off' },
});

test('up starts every server, shows the status table, and Ctrl-C stops them all', async (t) => {
  const dir = tempDir(t);
  const up = startUp(t, dir, {
    alpha: fixture(dir, 'alpha', 'echo.mjs'),
    beta: fixture(dir, 'beta', 'stdout-noise.mjs'),
    everything: { command: process.execPath, args: [SERVER_EVERYTHING] },
  });
  await up.waitForStderr(/Press Ctrl-C to stop/);
  await up.waitForStdout(/^everything .* ms$/m);
  const table = up.stdout();
  assert.match(table, /SERVER\s+PID\s+STATE\s+PROTOCOL\s+TOOLS\s+RESOURCES\s+PROMPTS\s+HANDSHAKE/);
  assert.match(table, /alpha\s+\d+\s+ready\s+2025-06-18\s+\d+\s+-\s+-\s+\d+ ms/);
  assert.match(table, /beta\s+\d+\s+ready\s+2025-06-18/);
  assert.match(table, /everything\s+\d+\s+ready\s+\S+\s+\d+\s+\d+\s+\d+\s+\d+ ms/);
  const [alpha] = await readPids(join(dir, 'alpha.pid'), 1);
  const [beta] = await readPids(join(dir, 'beta.pid'), 1);
  assert.ok(isAlive(alpha!) && isAlive(beta!));
  up.child.kill('SIGINT');
  const [code] = await up.exited();
  assert.equal(code, 0, up.stderr());
  await waitUntilDead(alpha!, 2000, 'alpha');
  await waitUntilDead(beta!, 2000, 'beta');
  assert.match(up.stderr(), /all servers stopped/);
  // Not a pipe: the view is one line per change, on stdout with the table; stderr has neither.
  assert.match(up.stdout(), /^\d\d:\d\d:\d\d alpha ready pid \d+$/m);
  assert.match(up.stdout(), /^\d\d:\d\d:\d\d alpha stopped/m);
  assert.doesNotMatch(up.stderr(), /SERVER|PROTOCOL|HANDSHAKE|\d\d:\d\d:\d\d alpha/);
});

test('up with named servers starts only those; a server that cannot start is shown failed', async (t) => {
  const dir = tempDir(t);
  const up = startUp(
    t,
    dir,
    {
      alpha: fixture(dir, 'alpha', 'echo.mjs'),
      skipped: fixture(dir, 'skipped', 'echo.mjs'),
      broken: { command: join(dir, 'no-such-program') },
    },
    ['alpha', 'broken'],
  );
  await up.waitForStderr(/Press Ctrl-C to stop/);
  await up.waitForStdout(/^broken .*$/m);
  assert.match(up.stdout(), /alpha\s+\d+\s+ready/);
  assert.match(up.stdout(), /broken\s+-\s+failed/);
  assert.doesNotMatch(up.stdout(), /^skipped/m);
  assert.doesNotMatch(up.stderr(), /^(alpha|broken|skipped)\s/m);
  up.child.kill('SIGTERM');
  const [code] = await up.exited();
  assert.equal(code, 1, 'a server that never started makes up exit 1');
  const [alpha] = await readPids(join(dir, 'alpha.pid'), 1);
  assert.equal(isAlive(alpha!), false);
});

test('up names an unknown server and exits 2', async (t) => {
  const dir = tempDir(t);
  const up = startUp(t, dir, { alpha: fixture(dir, 'alpha', 'echo.mjs') }, ['nope']);
  const [code] = await up.exited();
  assert.equal(code, 2);
  assert.match(up.stderr(), /no server 'nope'/);
});

/** Runs `mcp-guard status -c MANIFEST ARGS` to completion. */
async function status(dir: string, args: string[] = []) {
  const child = spawn(
    process.execPath,
    [CLI, 'status', '-c', join(dir, 'mcp-guard.yaml'), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await waitFor(
    once(child, 'exit'),
    10_000,
    () => `status did not exit; stderr:\n${stderr}`,
  )) as [number | null];
  return { code, stdout, stderr };
}

test('a child killed from outside: up shows it restarting and ready again; status reports it', async (t) => {
  const dir = tempDir(t);
  const up = startUp(t, dir, {
    alpha: {
      ...fixture(dir, 'alpha', 'echo.mjs'),
      restart: { policy: 'on-failure', backoff: { initial: 50, max: 1000 } },
    },
  });
  await up.waitForStdout(/\d\d:\d\d:\d\d alpha ready pid \d+\n/);
  const [first] = await readPids(join(dir, 'alpha.pid'), 1);
  const before = await status(dir, ['--json']);
  assert.equal(before.code, 0, before.stderr);
  const records = JSON.parse(before.stdout) as Record<string, unknown>[];
  assert.equal(records.length, 1);
  assert.equal(records[0]!.server, 'alpha');
  assert.equal(records[0]!.state, 'ready');
  assert.equal(records[0]!.pid, first);
  assert.equal(records[0]!.command, 'up');
  assert.equal(records[0]!.restarts, 0);
  process.kill(first!, 'SIGKILL');
  await up.waitForStdout(/alpha restarting/);
  const [, second] = await readPids(join(dir, 'alpha.pid'), 2);
  await up.waitForStdout(new RegExp(`alpha ready pid ${second} \\(1 restart\\)`));
  const after = await status(dir);
  assert.equal(after.stderr, '', 'the table is what status was asked for, on stdout');
  assert.match(
    after.stdout,
    /SERVER\s+STATE\s+PID\s+GUARD\s+UPTIME\s+RESTARTS\s+PING\s+CALLS\s+DENIED/,
  );
  assert.match(
    after.stdout,
    new RegExp(`alpha\\s+ready\\s+${second}\\s+up \\d+\\s+\\d+ s\\s+1\\s`),
  );
  up.child.kill('SIGINT');
  const [code] = await up.exited();
  assert.equal(code, 0, up.stderr());
  assert.equal(isAlive(second!), false);
  const gone = await status(dir, ['--json']);
  assert.deepEqual(JSON.parse(gone.stdout), [], 'the status file is removed on exit');
});

test('status ignores and removes the file of a process that is gone', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'mcp-guard.yaml'), JSON.stringify({ version: 1, servers: {} }));
  const statusDir = join(dir, '.mcp-guard', 'status');
  mkdirSync(statusDir, { recursive: true });
  // A pid that cannot be running: above the kernel's pid_max.
  const stale = join(statusDir, 'ghost.99999999.json');
  writeFileSync(stale, JSON.stringify({ server: 'ghost', guardPid: 99999999, state: 'ready' }));
  const result = await status(dir, ['--json']);
  assert.deepEqual(JSON.parse(result.stdout), []);
  assert.equal(existsSync(stale), false);
  const human = await status(dir);
  assert.match(human.stdout, /no guarded server is running/);
  assert.equal(human.stderr, '');
});

test('up --json writes one JSON object per change on stdout', async (t) => {
  const dir = tempDir(t);
  const up = startUp(t, dir, { alpha: fixture(dir, 'alpha', 'echo.mjs') }, ['--json']);
  await up.waitForStderr(/Press Ctrl-C to stop/);
  await waitFor(() => up.stdout().includes('\n'), 5000, 'a JSON line on stdout');
  const first = JSON.parse(up.stdout().split('\n')[0]!) as Record<string, unknown>;
  assert.equal(first.server, 'alpha');
  assert.equal(first.state, 'ready');
  assert.equal(typeof first.pid, 'number');
  assert.equal(typeof first.time, 'string');
  // stdout holds JSON lines only: the handshake table goes to stderr.
  assert.match(up.stderr(), /^alpha\s+\d+\s+ready\s+2025-06-18/m);
  up.child.kill('SIGINT');
  await up.exited();
  const lines = up
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { state: string });
  assert.deepEqual(
    lines.map((line) => line.state),
    ['ready', 'stopping', 'stopped'],
  );
});
