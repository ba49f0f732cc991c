/**
 * `mcp-guard run -- CMD` with no manifest, started where clients start servers: from `$HOME` the
 * server does not get `$HOME` as its root (it gets a private folder), and from `/` it starts.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startGuard, type GuardProcess } from '../../helpers/guard-process.js';
import { FIXTURES } from '../../helpers/paths.js';
import { killAll } from '../../helpers/processes.js';
import { SECRETS, blob, buildWorld, descendants, hostileCall, type World } from './world.js';

async function adHoc(
  t: TestContext,
  world: World,
  cwd: string,
  profile: string[] = [],
): Promise<GuardProcess> {
  const guard = startGuard(['run', ...profile, '--', 'node', join(FIXTURES, 'hostile.mjs')], {
    t,
    stateDir: world.root,
    cwd,
    env: world.secretEnv,
  });
  t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
  await guard.initialize({}, 20_000);
  return guard;
}

for (const backend of ['bwrap', 'landlock']) {
  const profile = (world: World): string[] => {
    const file = join(world.root, `${backend}.yaml`);
    writeFileSync(file, `extends: default\nsandbox: { mode: required, backend: ${backend} }\n`);
    return ['--profile', file];
  };

  void test(`${backend}: ad hoc from $HOME, the server gets a private folder, not $HOME`, async (t) => {
    const world = await buildWorld(t);
    const guard = await adHoc(t, world, world.home, profile(world));
    const notes = await hostileCall(
      guard,
      'blob',
      blob({ op: 'read', path: join(world.home, 'notes.txt') }),
    );
    assert.equal(notes.ok, false, JSON.stringify(notes));
    const bashrc = await hostileCall(
      guard,
      'blob',
      blob({ op: 'write', path: join(world.home, '.bashrc'), text: 'pwned' }),
    );
    assert.ok(!JSON.stringify([notes, bashrc]).includes(SECRETS.notes));
    const work = join(world.root, 'state', 'mcp-guard', 'work', 'hostile');
    const made = await hostileCall(
      guard,
      'blob',
      blob({ op: 'write', path: join(work, 'made.txt'), text: 'mine' }),
    );
    assert.deepEqual(made, { ok: true }, 'its private folder is its root');
    assert.equal((await guard.close(5000)).code, 0, guard.stderr());
    assert.ok(existsSync(join(work, 'made.txt')));
  });

  void test(`${backend}: ad hoc from /, the server starts`, async (t) => {
    const world = await buildWorld(t);
    const guard = await adHoc(t, world, '/', profile(world));
    const listed = await hostileCall(guard, 'blob', blob({ op: 'list', path: '/usr' }));
    assert.equal(listed.ok, true, JSON.stringify(listed));
    assert.equal((await guard.close(5000)).code, 0, guard.stderr());
  });
}
