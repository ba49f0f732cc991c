/**
 * The watchdog after its owner is SIGKILLed, on real processes (Linux): it kills the group and
 * every process whose environment carries the launch's tree mark, and leaves alone the user's
 * processes that merely look alike (another mark, a longer one, a similar variable name, the mark
 * on a command line).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAlive, waitUntilDead } from '../helpers/guard-process.js';
import { ROOT } from '../helpers/paths.js';
import { descendants, killAll, waitFor } from '../helpers/processes.js';

const FOREVER = 'setInterval(() => {}, 1e9)';
const WATCHDOG = join(ROOT, 'dist', 'supervisor', 'watchdog.js');
const MARK = 'feedfacefeedfacefeedfacefeedface';

/** A long-running node in a session of its own, with `env` (and nothing else) as environment. */
function sleeper(env: Record<string, string>, ...args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-e', FOREVER, ...args], {
    env,
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  return child;
}

void test('after its owner is SIGKILLed, the watchdog kills what carries the mark and nothing alike', async (t) => {
  const marked = {
    leader: sleeper({ MCP_GUARD_TREE: MARK }),
    escaped: sleeper({ HOME: '/nowhere', MCP_GUARD_TREE: MARK, PATH: '/bin' }),
  };
  const alike = {
    otherMark: sleeper({ MCP_GUARD_TREE: MARK.replace('f', '0') }),
    longerMark: sleeper({ MCP_GUARD_TREE: `${MARK}0` }),
    similarName: sleeper({ X_MCP_GUARD_TREE: MARK, MCP_GUARD_TREEX: MARK }),
    onCommandLine: sleeper({}, `MCP_GUARD_TREE=${MARK}`),
  };
  const all = [...Object.values(marked), ...Object.values(alike)];
  t.after(() => killAll(all.flatMap((child) => (child.pid === undefined ? [] : [child.pid]))));
  // The owner stands in for mcp-guard: it starts the watchdog for the leader's group and the mark.
  const owner = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startWatchdog } = await import(${JSON.stringify(WATCHDOG)});
       startWatchdog(${marked.leader.pid}, ${JSON.stringify(MARK)});
       process.stdout.write('ready\\n');
       ${FOREVER};`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => killAll(owner.pid === undefined ? [] : [owner.pid, ...descendants(owner.pid)]));
  await waitFor([owner.stdout, 'data'], 10_000, 'the owner started its watchdog');
  const watchdogs = await waitFor(
    () => (owner.pid === undefined ? null : descendants(owner.pid).filter(isAlive)),
    5000,
    'the watchdog below its owner',
  );
  assert.equal(watchdogs.length, 1, watchdogs.join(' '));
  owner.kill('SIGKILL');
  // The watchdog exits once nothing carries the mark any more.
  for (const pid of [watchdogs[0]!, ...Object.values(marked).map((child) => child.pid!)]) {
    await waitUntilDead(pid, 10_000, `pid ${pid}`);
  }
  for (const [name, child] of Object.entries(alike)) {
    assert.equal(isAlive(child.pid!), true, `${name} (${child.pid}) was killed`);
  }
});
