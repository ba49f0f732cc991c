/**
 * Under `network: deny` the server creates no unix socket (socketpair(2) aside), so no host
 * socket is reachable by its path: not one a host process makes in a root after the launch
 * (the masks were computed before it existed), not one in `.git` or `node_modules` (never
 * searched), and under Landlock none at all (it does not control connect(2) on a socket file).
 * UDP goes nowhere. A server still starts children over pipes and Node's IPC channel.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { readAudit } from '../../helpers/guard-process.js';
import { blob, buildWorld, hostileCall, started } from './world.js';

/** A unix socket on the host that counts the connections it gets. */
async function listening(
  t: TestContext,
  path: string,
): Promise<{ hits: number; first: Promise<unknown> }> {
  const server = createServer((socket) => {
    counter.hits += 1;
    socket.destroy();
  });
  const counter = { hits: 0, first: once(server, 'connection') };
  t.after(() => server.close());
  await new Promise<void>((resolve) => server.listen(path, () => resolve()));
  return counter;
}

/** A UDP port on the host's 127.0.0.1 that counts the datagrams it gets. */
async function receiving(t: TestContext): Promise<{ port: number; hits: number }> {
  const socket = createSocket('udp4');
  const counter = { port: 0, hits: 0 };
  socket.on('message', () => (counter.hits += 1));
  t.after(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  counter.port = socket.address().port;
  return counter;
}

for (const backend of ['bwrap', 'landlock']) {
  void test(`${backend}, network deny: no unix socket by path (made after the launch, in .git, in node_modules), no UDP; children still start`, async (t) => {
    const world = await buildWorld(t);
    mkdirSync(join(world.work, '.git'));
    mkdirSync(join(world.work, 'node_modules', 'pkg'), { recursive: true });
    const inGit = await listening(t, join(world.work, '.git', 'fsmonitor.sock'));
    const inModules = await listening(t, join(world.work, 'node_modules', 'pkg', 'ipc.sock'));
    const udp = await receiving(t);
    const guard = await started(t, world, [], {
      sandbox: { mode: 'required', network: 'deny', backend },
    });
    // Made by a host process after the launch, in the root and in a folder of it.
    mkdirSync(join(world.work, 'later'));
    const late = await listening(t, join(world.work, 'late.sock'));
    const lateDeeper = await listening(t, join(world.work, 'later', 'late.sock'));
    for (const path of [
      join(world.work, 'late.sock'),
      join(world.work, 'later', 'late.sock'),
      join(world.work, '.git', 'fsmonitor.sock'),
      join(world.work, 'node_modules', 'pkg', 'ipc.sock'),
    ]) {
      const unix = await hostileCall(guard, 'blob', blob({ op: 'unix', path }));
      assert.deepEqual(unix, { ok: false, code: 'EACCES' }, path);
    }
    const datagram = await hostileCall(
      guard,
      'blob',
      blob({ op: 'udp', host: '127.0.0.1', port: udp.port }),
    );
    // bubblewrap: sent into the sandbox's own loopback, where nothing listens; Landlock: refused.
    if (backend === 'landlock') assert.deepEqual(datagram, { ok: false, code: 'EACCES' });
    assert.deepEqual(await hostileCall(guard, 'blob', blob({ op: 'child' })), {
      ok: true,
      data: 'child ok',
    });
    assert.deepEqual(await hostileCall(guard, 'blob', blob({ op: 'ipc' })), {
      ok: true,
      data: 'ipc ok',
    });
    assert.equal((await guard.close(5000)).code, 0, guard.stderr());
    assert.deepEqual(
      [late.hits, lateDeeper.hits, inGit.hits, inModules.hits, udp.hits, world.hits.rootSocket],
      [0, 0, 0, 0, 0, 0],
    );
    if (backend === 'landlock') {
      const applied = readAudit(join(world.work, 'audit.jsonl')).find(
        (r) => r.event === 'sandbox.applied',
      );
      const limits = (applied?.limits ?? []) as string[];
      assert.ok(!limits.some((l) => /unix sockets|UDP/.test(l)), JSON.stringify(limits));
    }
  });
}

void test('network allow: sockets are not filtered (a unix socket made in a root after the launch is reachable)', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world, [], { sandbox: { mode: 'required', network: 'allow' } });
  const late = await listening(t, join(world.work, 'late.sock'));
  const unix = await hostileCall(
    guard,
    'blob',
    blob({ op: 'unix', path: join(world.work, 'late.sock') }),
  );
  assert.deepEqual(unix, { ok: true });
  await late.first;
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
  assert.equal(late.hits, 1);
});
