/**
 * The state folder as a new user meets it, with Cline-shaped launches (safe-list environment,
 * working directory `/`): `status` shows calls and denials without waiting for a health ping,
 * a second `up` of one manifest refuses and names the first, `.mcp-guard/` ignores itself in git,
 * and a home where the state folder cannot be made is reported as such, with the fix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callTool, initialize, tempDir, writeManifest } from '../helpers/guard-process.js';
import { runClineShaped, startClineShaped } from '../helpers/cline-shaped.js';
import { FIXTURES } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

const echo = { command: process.execPath, args: [join(FIXTURES, 'echo.mjs')] };

/** `status --json` until `done` holds for its rows (each write is one `change` away). */
async function statusUntil(
  manifest: string,
  home: string,
  done: (rows: Record<string, unknown>[]) => boolean,
): Promise<Record<string, unknown>[]> {
  let last = '';
  let waiting = true;
  const poll = async (): Promise<Record<string, unknown>[]> => {
    while (waiting) {
      const r = runClineShaped(['status', '-c', manifest, '--json'], { home });
      last = r.stdout + r.stderr;
      const rows = r.status === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>[]) : [];
      if (done(rows)) return rows;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return [];
  };
  try {
    return await waitFor(poll(), 20_000, () => `status never showed it; last:\n${last}`);
  } finally {
    waiting = false;
  }
}

test('status shows calls and denials as they happen, not at the next health ping', async (t) => {
  const dir = tempDir(t);
  const manifest = writeManifest(dir, {
    ...echo,
    tools: { deny: ['sleep'] },
    health: { interval: '1h' },
  });
  const guard = startClineShaped(['run', 'server', '-c', manifest], { t, home: dir });
  guard.send(initialize(1));
  assert.equal((await guard.nextLine()).id, 1, guard.stderr());
  guard.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  for (const [id, tool] of [
    [2, 'echo'],
    [3, 'echo'],
    [4, 'sleep'],
  ] as const) {
    guard.send(callTool(id, tool, tool === 'echo' ? { text: 'x' } : { ms: 1 }));
    assert.equal((await guard.nextLine()).id, id, guard.stderr());
  }
  const rows = await statusUntil(manifest, dir, (r) => r[0]?.calls === 2 && r[0]?.denials === 1);
  assert.equal(rows.length, 1);
  guard.child.stdin.end();
  await guard.exited;
});

test('a second up of one manifest refuses, naming the first; the lock goes with the first', async (t) => {
  const dir = tempDir(t);
  const manifest = writeManifest(dir, echo);
  const first = startClineShaped(['up', '-c', manifest], { t, home: dir });
  await first.waitForStderr(/Press Ctrl-C to stop/, 20_000);
  const second = runClineShaped(['up', '-c', manifest], { home: dir });
  assert.equal(second.status, 1, second.stderr);
  assert.match(
    second.stderr,
    new RegExp(`'up' is already running for this manifest \\(pid ${first.pid}\\)`),
  );
  assert.doesNotMatch(second.stderr, /starting 1 server/);
  const lock = join(dir, '.mcp-guard', 'up.pid');
  assert.equal(readFileSync(lock, 'utf8').trim(), String(first.pid));
  first.child.kill('SIGINT');
  assert.equal((await first.exited).code, 0, first.stderr());
  assert.equal(existsSync(lock), false, 'the lock is removed');
});

test('an up whose holder is gone (killed) takes the stale lock over', async (t) => {
  const dir = tempDir(t);
  const manifest = writeManifest(dir, echo);
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  mkdirSync(join(dir, '.mcp-guard'));
  writeFileSync(join(dir, '.mcp-guard', 'up.pid'), `${gone.stdout.toString()}\n`);
  const up = startClineShaped(['up', '-c', manifest], { t, home: dir });
  await up.waitForStderr(/Press Ctrl-C to stop/, 20_000);
  up.child.kill('SIGINT');
  assert.equal((await up.exited).code, 0, up.stderr());
});

test('.mcp-guard/ ignores itself: git status stays clean after a run', async (t) => {
  const dir = tempDir(t);
  const manifest = writeManifest(dir, echo);
  const git = (...args: string[]) =>
    spawnSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8' });
  assert.equal(git('init', '-q').status, 0);
  const guard = startClineShaped(['run', 'server', '-c', manifest], { t, home: dir });
  guard.send(initialize(1));
  assert.equal((await guard.nextLine()).id, 1, guard.stderr());
  guard.child.stdin.end();
  await guard.exited;
  assert.ok(
    existsSync(join(dir, '.mcp-guard', 'audit.jsonl')) || existsSync(join(dir, 'audit.jsonl')),
  );
  const status = git('status', '--porcelain', '--untracked-files=all');
  assert.doesNotMatch(status.stdout, /\.mcp-guard/, status.stdout);
  assert.equal(
    readFileSync(join(dir, '.mcp-guard', '.gitignore'), 'utf8')
      .split('\n')
      .at(-2),
    '*',
  );
});

test('a home where the state folder cannot be made says which folder, why, and XDG_STATE_HOME', (t) => {
  const home = tempDir(t);
  const local = join(home, '.local');
  writeFileSync(local, ''); // a file where the state folder's parent should be
  const r = runClineShaped(['run', '--', process.execPath, join(FIXTURES, 'echo.mjs')], { home });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    new RegExp(
      `could not create mcp-guard's state folder ${home}/\\.local/state/mcp-guard: ${local} is not a folder .*set XDG_STATE_HOME to a writable folder`,
    ),
  );
  assert.doesNotMatch(r.stderr, /unexpected failure|ENOENT/);
});
