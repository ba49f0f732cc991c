/**
 * What crosses the sandbox's edge besides the server's stdio: a descriptor mcp-guard inherited
 * without close-on-exec must not, under either backend or without a sandbox, and a server
 * started by root is not uid 0 inside (bubblewrap; Landlock keeps the uid but no capability, a
 * documented limit).
 */
import assert from 'node:assert/strict';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startGuard, writeManifest, type GuardProcess } from '../../helpers/guard-process.js';
import { FIXTURES } from '../../helpers/paths.js';
import { killAll } from '../../helpers/processes.js';
import type { JsonObject } from '../../helpers/raw-client.js';
import { blob, buildWorld, descendants, hostileCall, type World } from './world.js';

/** The descriptor number mcp-guard inherits the host file on (after its stdio and a gap). */
const INHERITED = 200;
const HOST_TEXT = 'HOST-FILE-BEHIND-AN-INHERITED-DESCRIPTOR';

const SANDBOXES: [string, JsonObject][] = [
  ['bwrap', { mode: 'required', network: 'deny', backend: 'bwrap' }],
  ['landlock', { mode: 'required', network: 'deny', backend: 'landlock' }],
  ['sandbox off', { mode: 'off' }],
];

/** The hostile fixture behind `run` in this sandbox, with what mcp-guard itself is given. */
function startHostile(
  t: TestContext,
  world: World,
  sandbox: JsonObject,
  given: Pick<Parameters<typeof startGuard>[1], 'env' | 'inherit'>,
): GuardProcess {
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
    ...given,
  });
  t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
  return guard;
}

for (const [name, sandbox] of SANDBOXES) {
  void test(`${name}: a descriptor mcp-guard inherited cannot be read or written by the server`, async (t) => {
    const world = await buildWorld(t);
    const leaked = join(world.outside, 'leak-me.txt');
    writeFileSync(leaked, HOST_TEXT);
    const fd = openSync(leaked, 'r+');
    t.after(() => closeSync(fd));
    const guard = startHostile(t, world, sandbox, {
      env: world.secretEnv,
      // mcp-guard gets the file on descriptor INHERITED, without close-on-exec (dup2 clears it).
      inherit: [...Array<'ignore'>(INHERITED - 3).fill('ignore'), fd],
    });
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

// node's --perf-basic-prof (or --prof) makes V8 open its own log file, without close-on-exec,
// before mcp-guard runs a line. It stays V8's, and the server gets /dev/null on its number: closed,
// its number went to mcp-guard's next pipe and V8's lines into it (the watchdog's: every launch
// ended at once; or one of the server's pipes, while the map stopped growing).
/** What the descriptors of process `pid` point at. */
function heldBy(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  return readdirSync(dir).map((fd) => {
    try {
      return readlinkSync(join(dir, fd));
    } catch {
      return '';
    }
  });
}

for (const [name, sandbox] of SANDBOXES) {
  void test(`${name}: a relay profiled with --perf-basic-prof keeps V8's map to itself, and its server`, async (t) => {
    const world = await buildWorld(t);
    const guard = startHostile(t, world, sandbox, {
      // With interpreted frames on the native stack, V8 maps every function it compiles, also
      // the interpreter's (a relay's first calls and its shutdown always compile some): the map
      // grows whatever its optimising compilers choose to do meanwhile.
      env: {
        ...world.secretEnv,
        NODE_OPTIONS: '--perf-basic-prof --interpreted-frames-native-stack',
      },
    });
    const map = `/tmp/perf-${guard.pid}.map`;
    t.after(() => rmSync(map, { force: true }));
    await guard.initialize({}, 20_000);
    const fds = (await hostileCall(guard, 'blob', blob({ op: 'fds' }))).data as Record<
      string,
      string
    >;
    assert.ok(!Object.values(fds).includes(map), JSON.stringify(fds));
    // The relay still holds it after the spawn (closed, its number went to the next pipe).
    assert.ok(heldBy(guard.pid).includes(map), JSON.stringify(heldBy(guard.pid)));
    const before = statSync(map).size;
    // Past the compiler hold (src/cli/tiering.ts): V8 compiles, and writes its map, meanwhile.
    for (let i = 0; i < 60; i++) {
      const id = (await hostileCall(guard, 'blob', blob({ op: 'id' }))).data as { uid: number };
      assert.equal(typeof id.uid, 'number', guard.stderr());
    }
    assert.ok(heldBy(guard.pid).includes(map), JSON.stringify(heldBy(guard.pid)));
    assert.equal((await guard.close(5000)).code, 0, guard.stderr());
    assert.ok(statSync(map).size > before, "V8's map grew after the launch");
  });
}
