/**
 * What crosses the sandbox's edge besides the server's stdio: a descriptor mcp-guard inherited
 * without close-on-exec must not, and a server started by root is not uid 0 inside (bubblewrap;
 * Landlock keeps the uid but no capability, a documented limit).
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startGuard, writeManifest } from '../../helpers/guard-process.js';
import { FIXTURES } from '../../helpers/paths.js';
import { killAll } from '../../helpers/processes.js';
import { blob, buildWorld, descendants, hostileCall } from './world.js';

for (const backend of ['bwrap', 'landlock']) {
  void test(`${backend}: a descriptor mcp-guard inherited does not reach the server; root is not uid 0 inside`, async (t) => {
    const world = await buildWorld(t);
    const leaked = join(world.outside, 'leak-me.txt');
    writeFileSync(leaked, 'host file behind an inherited descriptor');
    const fd = openSync(leaked, 'r+');
    t.after(() => closeSync(fd));
    const manifest = writeManifest(world.work, {
      command: 'node',
      args: [join(FIXTURES, 'hostile.mjs')],
      paths: { roots: [world.work] },
      sandbox: { mode: 'required', network: 'deny', backend },
    });
    const guard = startGuard(['run', 'server', '-c', manifest], {
      t,
      stateDir: world.root,
      cwd: world.work,
      env: world.secretEnv,
      // At 250: Node marks the low descriptors it inherits close-on-exec at startup, not all.
      inherit: [...Array<'ignore'>(247).fill('ignore'), fd],
    });
    t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
    await guard.initialize({}, 20_000);
    const fds = (await hostileCall(guard, 'blob', blob({ op: 'fds' }))).data as Record<
      string,
      string
    >;
    assert.ok(
      !Object.values(fds).some((target) => target.includes('leak-me')),
      JSON.stringify(fds),
    );
    const id = (await hostileCall(guard, 'blob', blob({ op: 'id' }))).data as { uid: number };
    if (process.getuid?.() === 0 && backend === 'bwrap') assert.notEqual(id.uid, 0);
    // Outside Landlock: it cannot change who the server is; root keeps uid 0 without capabilities.
    if (backend === 'landlock') t.diagnostic(`outside Landlock: uid inside ${id.uid}`);
    assert.equal((await guard.close(5000)).code, 0, guard.stderr());
  });
}
