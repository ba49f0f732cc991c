/**
 * Roots and read-only paths on real mounts: a root named through a symlink is mounted by its real
 * path and still reachable by the configured one; a read-only path inside a root stays read-only.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { killAll } from '../../helpers/processes.js';
import { blob, buildWorld, descendants, hostileCall, startHostile } from './world.js';

void test('a root given through a symlink works by both paths; read-only inside a root holds', async (t) => {
  const world = await buildWorld(t);
  const real = join(world.root, 'real-project');
  mkdirSync(join(real, 'vendor'), { recursive: true });
  writeFileSync(join(real, 'vendor', 'lib.txt'), 'vendored');
  const link = join(world.home, 'project-link');
  symlinkSync(real, link);
  const { guard } = startHostile(t, world, {
    entry: {
      paths: { roots: [world.work, link], readOnly: [join(link, 'vendor')], deny: [] },
    },
  });
  t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
  await guard.initialize({}, 20_000);

  const byLink = await hostileCall(
    guard,
    'blob',
    blob({ op: 'write', path: join(link, 'a.txt'), text: 'via link' }),
  );
  assert.deepEqual(byLink, { ok: true });
  const byReal = await hostileCall(guard, 'blob', blob({ op: 'read', path: join(real, 'a.txt') }));
  assert.deepEqual(byReal, { ok: true, data: 'via link' });
  const vendor = await hostileCall(
    guard,
    'blob',
    blob({ op: 'write', path: join(real, 'vendor', 'lib.txt') }),
  );
  assert.equal(vendor.ok, false, JSON.stringify(vendor));
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());

  assert.equal(readFileSync(join(real, 'a.txt'), 'utf8'), 'via link');
  assert.equal(readFileSync(join(real, 'vendor', 'lib.txt'), 'utf8'), 'vendored');
});
