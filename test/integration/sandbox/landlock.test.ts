/**
 * The hostile-fixture suite of hostile.test.ts against the Landlock backend (forced with
 * `sandbox.backend: landlock`): the same attacks, each assertion either holding or marked, with
 * the reason, as outside what Landlock can do (no mount, PID or IPC namespaces).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readAudit, waitUntilDead } from '../../helpers/guard-process.js';
import { killAll, processesNaming, waitFor } from '../../helpers/processes.js';
import type { JsonObject } from '../../helpers/raw-client.js';
import { SECRETS, blob, buildWorld, descendants, hostileCall, started } from './world.js';

const LANDLOCK: JsonObject = {
  sandbox: { mode: 'required', network: 'deny', backend: 'landlock' },
};

void test('landlock: it cannot read ~/.ssh, ~/.aws, a denied .env, or anything of $HOME outside its root', async (t) => {
  const world = await buildWorld(t);
  mkdirSync(join(world.work, 'sub'));
  const guard = await started(
    t,
    world,
    [
      { op: 'read', path: join(world.home, '.aws/credentials') },
      { op: 'read', path: join(world.work, '.env') },
    ],
    LANDLOCK,
  );
  // Outside Landlock: no mount namespace to hide a path, so it is refused (EACCES), not absent.
  const ssh = await hostileCall(
    guard,
    'blob',
    blob({ op: 'read', path: join(world.home, '.ssh/id_ed25519') }),
  );
  assert.deepEqual(ssh, { ok: false, code: 'EACCES' });
  assert.deepEqual(await hostileCall(guard, 'attempt', { n: 0 }), { ok: false, code: 'EACCES' });
  const env = await hostileCall(guard, 'attempt', { n: 1 });
  assert.equal(env.ok, false, 'the .env inside the root is refused');
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
  // Outside Landlock: $HOME cannot be replaced by an empty folder; listing it is refused instead.
  assert.deepEqual(await hostileCall(guard, 'blob', blob({ op: 'list', path: world.home })), {
    ok: false,
    code: 'EACCES',
  });
  const all = JSON.stringify([ssh, env, notes, outside]);
  for (const secret of Object.values(SECRETS)) assert.ok(!all.includes(secret), secret);

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
  const changed = await hostileCall(
    guard,
    'blob',
    blob({ op: 'write', path: join(world.work, 'inside.txt'), text: 'changed inside' }),
  );
  assert.deepEqual(changed, { ok: true });
  assert.equal(readFileSync(join(world.work, 'inside.txt'), 'utf8'), 'changed inside');
  // Outside Landlock: the root's top folder holds the manifest, the audit log, the state folder
  // and the denied .env, so its rules are carved around them and nothing new can be made there
  // (a new entry would have no rule of its own). Its subfolders take new files.
  const made = await hostileCall(
    guard,
    'blob',
    blob({ op: 'write', path: join(world.work, 'made.txt'), text: 'made inside' }),
  );
  assert.deepEqual(made, { ok: false, code: 'EACCES' });
  const nested = await hostileCall(
    guard,
    'blob',
    blob({ op: 'write', path: join(world.work, 'sub', 'made.txt'), text: 'made deeper' }),
  );
  assert.deepEqual(nested, { ok: true });
  assert.equal(readFileSync(join(world.work, 'sub', 'made.txt'), 'utf8'), 'made deeper');

  const records = readAudit(join(world.work, 'audit.jsonl'));
  const applied = records.filter((r) => r.event === 'sandbox.applied');
  assert.equal(applied.length, 1, 'once per launch');
  const { backend, requested, network, version, reason, limits } = applied[0]!;
  assert.deepEqual(
    { backend, requested, network, reason },
    { backend: 'landlock', requested: 'required', network: 'deny', reason: undefined },
  );
  assert.match(String(version), /^ABI \d+$/);
  assert.ok(Array.isArray(limits) && limits.some((l) => /no process isolation/.test(String(l))));
  const order = records.map((r) => r.event);
  assert.ok(order.indexOf('sandbox.applied') < order.indexOf('child.spawn'));
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
});

void test('landlock: it cannot write outside its root or to a read-only path, and the host shows no trace', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world, [], LANDLOCK);
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
  // Outside Landlock: no private /tmp or $HOME can be mounted; writes there are refused instead
  // (TMPDIR names the server's private temporary folder, which takes them).
  for (const path of [escape, join(world.home, '.bashrc')]) {
    const outcome = await hostileCall(guard, 'blob', blob({ op: 'write', path, text: 'pwned' }));
    assert.deepEqual(outcome, { ok: false, code: 'EACCES' }, path);
  }
  const env = (await hostileCall(guard, 'blob', blob({ op: 'env' }))).data as Record<
    string,
    string
  >;
  const tmp = await hostileCall(
    guard,
    'blob',
    blob({ op: 'write', path: join(env.TMPDIR!, 'scratch'), text: 'temporary' }),
  );
  assert.deepEqual(tmp, { ok: true }, env.TMPDIR);
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());

  assert.equal(existsSync(escape), false);
  assert.equal(readFileSync(join(world.home, '.bashrc'), 'utf8'), 'original bashrc\n');
  assert.equal(existsSync(join(world.outside, 'new.txt')), false);
  assert.equal(readFileSync(join(world.shared, 'ro.txt'), 'utf8'), 'read-only original');
  assert.doesNotMatch(readFileSync(join(world.work, 'mcp-guard.yaml'), 'utf8'), /pwned/);
  assert.doesNotMatch(readFileSync(join(world.work, 'audit.jsonl'), 'utf8'), /pwned/);
});

void test('landlock: it cannot reach a TCP port on 127.0.0.1 nor any host unix socket', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(
    t,
    world,
    [{ op: 'tcp', host: '127.0.0.1', port: world.tcpPort }],
    LANDLOCK,
  );
  const tcp = await hostileCall(guard, 'attempt', { n: 0 });
  assert.deepEqual(tcp, { ok: false, code: 'EACCES' });
  // Landlock (up to ABI 7) does not control connect(2) on a socket file; under network: deny the
  // launcher's seccomp program refuses the unix socket itself (late-socket.test.ts has more).
  for (const path of [
    join(world.work, 'app.sock'),
    join(world.outside, 'host.sock'),
    world.secretEnv.SSH_AUTH_SOCK!,
  ]) {
    const unix = await hostileCall(guard, 'blob', blob({ op: 'unix', path }));
    assert.deepEqual(unix, { ok: false, code: 'EACCES' }, path);
  }
  // Outside Landlock: the agent's folder is hidden, but the root's top folder around it is carved
  // and may be listed, and listing is inherited beneath it: names show, contents do not.
  const agentDir = await hostileCall(
    guard,
    'blob',
    blob({ op: 'list', path: join(world.work, 'agent-dir') }),
  );
  t.diagnostic(`outside Landlock: listing the agent's folder: ${JSON.stringify(agentDir)}`);
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
  assert.deepEqual(world.hits, { tcp: 0, rootSocket: 0, outsideSocket: 0, agent: 0 });
});

void test('landlock: no secret of mcp-guard’s environment, nor of any host process, is readable', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world, [], LANDLOCK);
  const env = (await hostileCall(guard, 'blob', blob({ op: 'env' }))).data as Record<
    string,
    string
  >;
  assert.equal(env.MCP_GUARD_TEST_SECRET, undefined);
  assert.equal(env.SSH_AUTH_SOCK, undefined);
  assert.ok(!JSON.stringify(env).includes('env-secret-DO-NOT-LEAK'));
  assert.equal(env.HOME, world.home);
  assert.equal(env.npm_config_offline, 'true');
  // Landlock keeps a confined process from inspecting any process outside its domain.
  const environ = await hostileCall(
    guard,
    'blob',
    blob({ op: 'read', path: `/proc/${guard.pid}/environ` }),
  );
  assert.deepEqual(environ, { ok: false, code: 'EACCES' });
  // Outside Landlock: there is no PID namespace, so host processes (and their command lines) stay
  // visible in /proc. Recorded, not asserted.
  const ps = (await hostileCall(guard, 'blob', blob({ op: 'ps' }))).data as unknown[];
  t.diagnostic(`outside Landlock: ${ps.length} host processes visible`);
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
});

void test('landlock: after mcp-guard is SIGKILLed nothing of it survives, setsid daemons included', async (t) => {
  const world = await buildWorld(t);
  const guard = await started(t, world, [], LANDLOCK);
  const spawned = await hostileCall(guard, 'blob', blob({ op: 'spawn' }));
  assert.equal(spawned.ok, true, JSON.stringify(spawned));
  const { grandchild, daemon } = spawned.data as { grandchild: number; daemon: number };
  // A daemon that left the tree (setsid) is found by the world's folder in its environment.
  t.after(() => killAll(processesNaming(world.root)));
  const commandOf = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return '';
    }
  };
  // The setsid daemon starts through `sh -c`: wait until the three node processes (grandchild,
  // detached daemon, setsid daemon) run.
  const nodes = () =>
    processesNaming(world.root).filter((pid) => /^\S*node -e setInterval/.test(commandOf(pid)));
  const daemons = await waitFor(
    () => (nodes().length === 3 ? nodes() : null),
    5000,
    () => `three node daemons: ${nodes().join(' ')} ${guard.stderr()}`,
  );
  assert.ok(daemons.includes(grandchild) && daemons.includes(daemon), daemons.join(' '));
  const tree = descendants(guard.pid);
  assert.ok(tree.includes(grandchild), `the grandchild below mcp-guard: ${tree.join(' ')}`);
  process.kill(guard.pid, 'SIGKILL');
  // No PID namespace: the watchdog finds the setsid daemon by the launch's tree mark.
  for (const pid of new Set([guard.pid, ...tree, ...daemons])) {
    await waitUntilDead(pid, 5000, guard.stderr);
  }
});
