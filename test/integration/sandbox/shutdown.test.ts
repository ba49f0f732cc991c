/**
 * Stopping a server through bubblewrap (SPEC 5): stdin EOF reaches it, SIGTERM reaches it inside
 * the sandbox (bubblewrap does not forward signals), a server ignoring both is killed with its
 * whole PID namespace, and nothing is left behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAlive, readAudit, waitUntilDead } from '../../helpers/guard-process.js';
import { killAll } from '../../helpers/processes.js';
import { blob, buildWorld, descendants, hostileCall, startHostile } from './world.js';

const childExit = (work: string) =>
  readAudit(join(work, 'audit.jsonl')).find((record) => record.event === 'child.exit');

void test('stdin EOF reaches the confined server; it exits by itself, not forced', async (t) => {
  const world = await buildWorld(t);
  const { guard } = startHostile(t, world);
  t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
  await guard.initialize({}, 20_000);
  const tree = descendants(guard.pid);
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
  for (const pid of tree) await waitUntilDead(pid, 5000, guard.stderr);
  assert.equal(childExit(world.work)?.forced, false);
});

void test('SIGTERM to mcp-guard reaches the server inside the sandbox', async (t) => {
  const world = await buildWorld(t);
  const termFile = join(world.work, 'got-sigterm');
  const { guard } = startHostile(t, world, {
    env: { HOSTILE_STUBBORN: '0', HOSTILE_TERM_FILE: termFile },
  });
  t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
  await guard.initialize({}, 20_000);
  const tree = descendants(guard.pid);
  process.kill(guard.pid, 'SIGTERM');
  const exit = await guard.exited;
  assert.equal(exit.code, 0, guard.stderr());
  for (const pid of tree) await waitUntilDead(pid, 5000, guard.stderr);
  assert.equal(existsSync(termFile) && readFileSync(termFile, 'utf8'), 'term');
  const recorded = childExit(world.work);
  assert.equal(recorded?.forced, false, JSON.stringify(recorded));
});

void test('a confined server ignoring EOF and SIGTERM is killed with its namespace, daemons too', async (t) => {
  const world = await buildWorld(t);
  const { guard } = startHostile(t, world, { env: { HOSTILE_STUBBORN: '1' } });
  t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
  await guard.initialize({}, 20_000);
  assert.equal((await hostileCall(guard, 'blob', blob({ op: 'spawn' }))).ok, true);
  const tree = descendants(guard.pid);
  assert.equal((await guard.close(5000)).code, 0, guard.stderr());
  for (const pid of tree) await waitUntilDead(pid, 5000, guard.stderr);
  assert.ok(!tree.some(isAlive));
  assert.match(guard.stderr(), /ignoring SIGTERM/, 'SIGTERM reached it before the kill');
  assert.equal(childExit(world.work)?.forced, true);
});
