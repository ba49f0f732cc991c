/**
 * Every way a `run` session ends, on real processes: no process may be left behind, every request
 * the client sent is answered, and the exit code says what happened.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  callTool,
  initialize,
  isAlive,
  readAudit,
  readPids,
  startGuard,
  tempDir,
  waitUntilDead,
  writeManifest,
  type GuardProcess,
} from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';

/** Runs a fixture server through a manifest (the server's environment is only what it grants). */
function fixture(
  t: TestContext,
  name: string,
  dir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
  keys: Record<string, unknown> = {},
) {
  const pidFile = join(dir, 'server.pid');
  const manifest = writeManifest(dir, {
    command: process.execPath,
    args: [join(FIXTURES, name), ...extra],
    env: { PID_FILE: pidFile, ...env },
    ...keys,
  });
  const guard = startGuard(['run', 'server', '-c', manifest], { t, stateDir: dir });
  return { guard, pidFile };
}

async function handshake(guard: GuardProcess): Promise<void> {
  guard.send(initialize(1));
  const reply = await guard.nextLine();
  assert.equal(reply.id, 1, guard.stderr());
  guard.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

const auditFile = (dir: string) => join(dir, 'audit.jsonl');

test('stdin EOF: the server gets EOF, exits, and mcp-guard exits 0', async (t) => {
  const dir = tempDir(t);
  const { guard, pidFile } = fixture(t, 'echo.mjs', dir);
  await handshake(guard);
  const [pid] = await readPids(pidFile, 1);
  guard.child.stdin.end();
  const exit = await guard.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, guard.stderr());
  await waitUntilDead(pid!, 2000, 'server');
  const events = readAudit(auditFile(dir)).map((r) => r.event);
  assert.ok(events.includes('child.exit'));
  const stop = readAudit(auditFile(dir)).find((r) => r.event === 'guard.stop');
  assert.equal(stop?.reason, 'client-eof');
  assert.deepEqual(guard.nonJson, []);
});

test('stdin EOF with a server that ignores EOF and SIGTERM: it is SIGKILLed, mcp-guard exits 0', async (t) => {
  const dir = tempDir(t);
  const { guard, pidFile } = fixture(t, 'ignore-sigterm.mjs', dir);
  await handshake(guard);
  const [pid] = await readPids(pidFile, 1);
  guard.child.stdin.end();
  const exit = await guard.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, guard.stderr());
  assert.equal(isAlive(pid!), false, 'server still alive after mcp-guard exited');
  const childExit = readAudit(auditFile(dir)).find((r) => r.event === 'child.exit');
  assert.equal(childExit?.forced, true);
  assert.equal(childExit?.signal, 'SIGKILL');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal}: the server's whole process group is stopped, mcp-guard exits 0`, async (t) => {
    const dir = tempDir(t);
    const grandchildFile = join(dir, 'grandchild.pid');
    const { guard, pidFile } = fixture(t, 'spawn-grandchild.mjs', dir, [], {
      GRANDCHILD_PID_FILE: grandchildFile,
    });
    await handshake(guard);
    const [pid] = await readPids(pidFile, 1);
    const [grandchild] = await readPids(grandchildFile, 1);
    guard.child.kill(signal);
    const exit = await guard.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, guard.stderr());
    assert.equal(isAlive(pid!), false, 'server survived');
    assert.equal(isAlive(grandchild!), false, 'grandchild survived');
  });
}

test('a grandchild holding the server stdout does not stall shutdown, and is stopped', async (t) => {
  const dir = tempDir(t);
  const grandchildFile = join(dir, 'grandchild.pid');
  const { guard } = fixture(t, 'spawn-grandchild.mjs', dir, [], {
    GRANDCHILD_PID_FILE: grandchildFile,
    GRANDCHILD_STDIO: 'inherit',
  });
  await handshake(guard);
  const [grandchild] = await readPids(grandchildFile, 1);
  guard.child.stdin.end();
  assert.deepEqual(await guard.exited, { code: 0, signal: null }, guard.stderr());
  assert.equal(isAlive(grandchild!), false, 'grandchild survived');
});

test('mcp-guard SIGKILLed: a server that ignores EOF and SIGTERM, and its grandchild, die within 5 s', async (t) => {
  const dir = tempDir(t);
  const { guard, pidFile } = fixture(t, 'ignore-sigterm.mjs', dir);
  await handshake(guard);
  const [pid] = await readPids(pidFile, 1);
  guard.child.kill('SIGKILL');
  await guard.exited;
  await waitUntilDead(pid!, 5000, 'server after mcp-guard was SIGKILLed');

  const dir2 = tempDir(t);
  const grandchildFile = join(dir2, 'grandchild.pid');
  const second = fixture(t, 'spawn-grandchild.mjs', dir2, [], {
    GRANDCHILD_PID_FILE: grandchildFile,
  });
  await handshake(second.guard);
  const [grandchild] = await readPids(grandchildFile, 1);
  second.guard.child.kill('SIGKILL');
  await second.guard.exited;
  await waitUntilDead(grandchild!, 5000, 'grandchild after mcp-guard was SIGKILLed');
});

test('restart policy never: the server exits mid-request, in-flight requests get -31054, mcp-guard exits 1', async (t) => {
  const dir = tempDir(t);
  const { guard, pidFile } = fixture(
    t,
    'exit-mid-request.mjs',
    dir,
    ['3'],
    {},
    {
      restart: { policy: 'never' },
    },
  );
  await handshake(guard);
  const [pid] = await readPids(pidFile, 1);
  guard.send(callTool(2, 'sleep', { ms: 60_000 }));
  guard.send(callTool(3, 'die'));
  const replies = [await guard.nextLine(), await guard.nextLine()];
  const byId = new Map(replies.map((r) => [r.id, r]));
  for (const id of [2, 3]) {
    const error = byId.get(id)?.error as { code: number; data: { server: string } } | undefined;
    assert.equal(error?.code, -31054, `request ${id}: ${JSON.stringify(byId.get(id))}`);
  }
  const exit = await guard.exited;
  assert.equal(exit.code, 1, guard.stderr());
  assert.equal(isAlive(pid!), false);
  assert.match(guard.stderr(), /exited with code 3/);
  assert.doesNotMatch(guard.stderr(), /\berror\b/i);
});

test('a server that exits 0 on its own ends the session with exit code 0', async (t) => {
  const dir = tempDir(t);
  const { guard } = fixture(t, 'exit-mid-request.mjs', dir, ['0']);
  await handshake(guard);
  guard.send(callTool(2, 'die'));
  const reply = await guard.nextLine();
  assert.equal((reply.error as { code: number }).code, -31054);
  assert.equal((await guard.exited).code, 0, guard.stderr());
});

test('a server that cannot start: initialize is answered with -31052 (state failed), exit 1 on EOF', async (t) => {
  const dir = tempDir(t);
  const guard = startGuard(['run', '--', join(dir, 'no-such-server')], { t, stateDir: dir });
  guard.send(initialize(7));
  const reply = await guard.nextLine();
  const error = reply.error as {
    code: number;
    message: string;
    data: { state: string; server: string };
  };
  assert.equal(reply.id, 7);
  assert.equal(error.code, -31052);
  assert.equal(error.data.state, 'failed');
  assert.match(error.message, /no-such-server/);
  guard.send(callTool(8, 'echo'));
  assert.equal((await guard.nextLine()).id, 8);
  guard.child.stdin.end();
  assert.equal((await guard.exited).code, 1);
  assert.match(guard.stderr(), /could not start server/);
  const failed = readAudit(join(dir, 'state', 'mcp-guard', 'audit.jsonl')).find(
    (r) => r.event === 'child.failed',
  );
  assert.ok(failed, 'child.failed audited');
});
