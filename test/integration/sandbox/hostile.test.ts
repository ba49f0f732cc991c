/**
 * A hostile server under `sandbox.mode: required` and `network: deny`, attacking through tools
 * whose arguments look innocent (a base64 blob, a number), so that only the OS layer can stop it.
 * Each attack is checked from inside (what the server met) and, where it could leave a trace,
 * from the host afterwards.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAlive, readAudit, waitUntilDead } from '../../helpers/guard-process.js';
import { killAll } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';
import { SECRETS, blob, buildWorld, descendants, hostileCall, started } from './world.js';

void test('it cannot read ~/.ssh, ~/.aws, a denied .env, or anything of $HOME outside its root', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world, [
    { op: 'read', path: join(world.home, '.aws/credentials') },
    { op: 'read', path: join(world.work, '.env') },
  ]);
  const ssh = await hostileCall(
    guard,
    'blob',
    blob({ op: 'read', path: join(world.home, '.ssh/id_ed25519') }),
  );
  assert.deepEqual(ssh, { ok: false, code: 'ENOENT' });
  assert.deepEqual(await hostileCall(guard, 'attempt', { n: 0 }), { ok: false, code: 'ENOENT' });
  const env = await hostileCall(guard, 'attempt', { n: 1 });
  assert.equal(env.ok, false, 'the .env inside the root is masked');
  const notes = await hostileCall(
    guard,
    'blob',
    blob({ op: 'read', path: join(world.home, 'notes.txt') }),
  );
  assert.equal(notes.ok, false);
  const outside = await hostileCall(
    guard,
    'blob',
    blob({ op: 'read', path: join(world.outside, 'secret.txt') }),
  );
  assert.equal(outside.ok, false);
  // $HOME is empty but for the way to the root.
  assert.deepEqual(await hostileCall(guard, 'blob', blob({ op: 'list', path: world.home })), {
    ok: true,
    data: ['work'],
  });
  // Nothing it read carried a secret.
  const all = JSON.stringify([ssh, env, notes, outside]);
  for (const secret of Object.values(SECRETS)) assert.ok(!all.includes(secret), secret);

  // Its own root and read-only paths work normally.
  const inside = await hostileCall(
    guard,
    'blob',
    blob({ op: 'read', path: join(world.work, 'inside.txt') }),
  );
  assert.deepEqual(inside, { ok: true, data: 'inside the root' });
  const ro = await hostileCall(
    guard,
    'blob',
    blob({ op: 'read', path: join(world.shared, 'ro.txt') }),
  );
  assert.deepEqual(ro, { ok: true, data: 'read-only original' });
  const made = await hostileCall(
    guard,
    'blob',
    blob({ op: 'write', path: join(world.work, 'made.txt'), text: 'made inside' }),
  );
  assert.deepEqual(made, { ok: true });
  assert.equal(readFileSync(join(world.work, 'made.txt'), 'utf8'), 'made inside');

  const records = readAudit(join(world.work, 'audit.jsonl'));
  const applied = records.filter((r) => r.event === 'sandbox.applied');
  assert.equal(applied.length, 1, 'once per launch');
  const { backend, requested, network, version, reason } = applied[0]!;
  assert.deepEqual(
    { backend, requested, network, reason },
    {
      backend: 'bwrap',
      requested: 'required',
      network: 'deny',
      reason: undefined,
    },
  );
  assert.match(String(version), /^\d+\.\d+/);
  const order = records.map((r) => r.event);
  assert.ok(order.indexOf('sandbox.applied') < order.indexOf('child.spawn'));
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
});

void test('it cannot write outside its root or to a read-only path, and the host shows no trace', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world);
  const escape = `/tmp/mcp-guard-escape-${process.pid}-${Date.now()}`;
  const attempts: [string, string][] = [
    [join(world.outside, 'new.txt'), 'a folder never given'],
    [join(world.shared, 'ro.txt'), 'a read-only path'],
    [join(world.work, 'mcp-guard.yaml'), 'the manifest (it could widen its own policy)'],
    [join(world.work, '.mcp-guard', 'audit.jsonl'), "mcp-guard's state folder"],
    [join(world.work, 'audit.jsonl'), 'the audit log'],
  ];
  for (const [path, what] of attempts) {
    const outcome = await hostileCall(guard, 'blob', blob({ op: 'write', path, text: 'pwned' }));
    assert.equal(outcome.ok, false, `${what}: ${JSON.stringify(outcome)}`);
  }
  // The private /tmp and the private, empty $HOME take writes; the host never sees them.
  for (const path of [escape, join(world.home, '.bashrc')]) {
    const outcome = await hostileCall(guard, 'blob', blob({ op: 'write', path, text: 'pwned' }));
    assert.deepEqual(outcome, { ok: true }, path);
  }
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());

  assert.equal(existsSync(escape), false);
  assert.equal(readFileSync(join(world.home, '.bashrc'), 'utf8'), 'original bashrc\n');
  assert.equal(existsSync(join(world.outside, 'new.txt')), false);
  assert.equal(readFileSync(join(world.shared, 'ro.txt'), 'utf8'), 'read-only original');
  assert.doesNotMatch(readFileSync(join(world.work, 'mcp-guard.yaml'), 'utf8'), /pwned/);
  assert.doesNotMatch(readFileSync(join(world.work, 'audit.jsonl'), 'utf8'), /pwned/);
});

void test('it cannot reach a TCP port on 127.0.0.1 nor any host unix socket', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world, [{ op: 'tcp', host: '127.0.0.1', port: world.tcpPort }]);
  const tcp = await hostileCall(guard, 'attempt', { n: 0 });
  assert.equal(tcp.ok, false, JSON.stringify(tcp));
  for (const path of [
    join(world.work, 'app.sock'),
    join(world.outside, 'host.sock'),
    world.secretEnv.SSH_AUTH_SOCK!,
  ]) {
    const unix = await hostileCall(guard, 'blob', blob({ op: 'unix', path }));
    assert.equal(unix.ok, false, `${path}: ${JSON.stringify(unix)}`);
  }
  // The ssh agent's whole folder is hidden, not only its socket.
  const agentDir = await hostileCall(
    guard,
    'blob',
    blob({ op: 'list', path: join(world.work, 'agent-dir') }),
  );
  assert.deepEqual(agentDir, { ok: true, data: [] });
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
  assert.deepEqual(world.hits, { tcp: 0, rootSocket: 0, outsideSocket: 0, agent: 0 });
});

void test('it sees no host process and none of the secret variables in mcp-guard’s environment', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world);
  const ps = await hostileCall(guard, 'blob', blob({ op: 'ps' }));
  const seen = ps.data as { pid: number; cmd: string }[];
  assert.ok(seen.length <= 3, JSON.stringify(seen));
  for (const { cmd } of seen) {
    assert.match(cmd, /^(\S*bwrap |\S*node \S*hostile\.mjs|\(gone\))/, JSON.stringify(seen));
  }
  assert.ok(
    seen.some(({ pid, cmd }) => pid === 1 && /^\S*bwrap /.test(cmd)),
    'pid 1 is the sandbox init',
  );
  const env = (await hostileCall(guard, 'blob', blob({ op: 'env' }))).data as Record<
    string,
    string
  >;
  assert.equal(env.MCP_GUARD_TEST_SECRET, undefined);
  assert.equal(env.SSH_AUTH_SOCK, undefined);
  assert.ok(!JSON.stringify(env).includes('env-secret-DO-NOT-LEAK'));
  assert.equal(env.HOME, world.home);
  assert.equal(env.npm_config_offline, 'true');
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
});

void test('after mcp-guard is SIGKILLed nothing of it survives, setsid daemons included', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world);
  const spawned = await hostileCall(guard, 'blob', blob({ op: 'spawn' }));
  assert.equal(spawned.ok, true, JSON.stringify(spawned));
  // The setsid daemon starts through `sh -c`, which may still be there when first listed: wait
  // until the three node processes (grandchild, detached daemon, setsid daemon) are all running.
  let seen: { cmd: string }[] = [];
  const nodes = () => seen.filter(({ cmd }) => /^\S*node -e setInterval/.test(cmd)).length;
  await waitFor(
    async () => {
      seen = (await hostileCall(guard, 'blob', blob({ op: 'ps' }))).data as { cmd: string }[];
      return nodes() === 3;
    },
    5000,
    () => `three node daemons in the sandbox: ${JSON.stringify(seen)}`,
  );
  assert.equal(nodes(), 3, JSON.stringify(seen));
  // bwrap, its init, the server, a grandchild, two daemons, the watchdog: all below mcp-guard.
  const tree = descendants(guard.pid);
  assert.ok(tree.length >= 7, `expected the whole tree below mcp-guard: ${tree.join(' ')}`);
  t.after(() => killAll(tree));
  process.kill(guard.pid, 'SIGKILL');
  for (const pid of [guard.pid, ...tree]) await waitUntilDead(pid, 5000, guard.stderr);
  assert.ok(![guard.pid, ...tree].some(isAlive));
});
