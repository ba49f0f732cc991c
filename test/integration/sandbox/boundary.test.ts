/**
 * What crosses the sandbox's edge besides the server's stdio: a descriptor mcp-guard inherited
 * without close-on-exec must not, under either backend or without a sandbox, and a server
 * started by root is not uid 0 inside (bubblewrap; Landlock keeps the uid but no capability, a
 * documented limit).
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startGuard, writeManifest } from '../../helpers/guard-process.js';
import { FIXTURES } from '../../helpers/paths.js';
import { killAll } from '../../helpers/processes.js';
import type { JsonObject } from '../../helpers/raw-client.js';
import { blob, buildWorld, descendants, hostileCall } from './world.js';

/** The descriptor number mcp-guard inherits the host file on (after its stdio and a gap). */
const INHERITED = 200;
const HOST_TEXT = 'HOST-FILE-BEHIND-AN-INHERITED-DESCRIPTOR';

const SANDBOXES: [string, JsonObject][] = [
  ['bwrap', { mode: 'required', network: 'deny', backend: 'bwrap' }],
  ['landlock', { mode: 'required', network: 'deny', backend: 'landlock' }],
  ['sandbox off', { mode: 'off' }],
];

for (const [name, sandbox] of SANDBOXES) {
  void test(`${name}: a descriptor mcp-guard inherited cannot be read or written by the server`, async (t) => {
    const world = await buildWorld(t);
    const leaked = join(world.outside, 'leak-me.txt');
    writeFileSync(leaked, HOST_TEXT);
    const fd = openSync(leaked, 'r+');
    t.after(() => closeSync(fd));
    const manifest = writeManifest(world.work, {
      command: 'node',
      args: [join(FIXTURES, 'hostile.mjs')],
      paths: { roots: [world.work] },
      sandbox,
    });
    const guard = startGuard(['run', 'server', '-c', manifest], {
      t,
      stateDir: world.root,
      cwd: world.work,
      env: world.secretEnv,
      // mcp-guard gets the file on descriptor INHERITED, without close-on-exec (dup2 clears it).
      inherit: [...Array<'ignore'>(INHERITED - 3).fill('ignore'), fd],
    });
    t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
    await guard.initialize({}, 20_000);
    const tried = await hostileCall(
      guard,
      'blob',
      blob({ op: 'fd', fd: INHERITED, text: 'OVERWRITTEN BY THE SERVER' }),
    );
    const ways = tried.data as Record<'read' | 'write' | 'procRead' | 'procWrite', string>;
    for (const [way, outcome] of Object.entries(ways)) {
      assert.ok(!outcome.includes(HOST_TEXT), `${way} read the host file: ${JSON.stringify(ways)}`);
      assert.notEqual(outcome, 'written', `${way} wrote the host file: ${JSON.stringify(ways)}`);
    }
    const fds = (await hostileCall(guard, 'blob', blob({ op: 'fds' }))).data as Record<
      string,
      string
    >;
    assert.ok(
      !Object.values(fds).some((target) => target.includes('leak-me')),
      JSON.stringify(fds),
    );
    if (name !== 'sandbox off') {
      const id = (await hostileCall(guard, 'blob', blob({ op: 'id' }))).data as { uid: number };
      if (process.getuid?.() === 0 && name === 'bwrap') assert.notEqual(id.uid, 0);
      // Outside Landlock: it cannot change who the server is; root keeps uid 0 without capabilities.
      if (name === 'landlock') t.diagnostic(`outside Landlock: uid inside ${id.uid}`);
    }
    assert.equal((await guard.close(5000)).code, 0, guard.stderr());
    assert.equal(readFileSync(leaked, 'utf8'), HOST_TEXT);
  });
}
