/**
 * No process left behind where no PID namespace ends them (SPEC 5): a server run without a
 * sandbox or under Landlock leaves a `detached: true` child and a setsid, double-forked daemon
 * that ignores SIGTERM. However mcp-guard ends — the client closes stdin, SIGTERM, SIGKILL — both
 * are dead afterwards (and not merely out of its process group).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  initialize,
  isAlive,
  readPids,
  startGuard,
  tempDir,
  waitUntilDead,
  writeManifest,
  type GuardProcess,
} from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { killAll, processesNaming, processGroup } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';

const SANDBOXES: Record<string, JsonObject> = {
  'sandbox off': { mode: 'off' },
  landlock: { mode: 'required', backend: 'landlock' },
};

const STOPS = {
  'the client closes stdin': (guard: GuardProcess) => guard.child.stdin.end(),
  'SIGTERM of mcp-guard': (guard: GuardProcess) => guard.child.kill('SIGTERM'),
  'SIGKILL of mcp-guard': (guard: GuardProcess) => guard.child.kill('SIGKILL'),
};

for (const [label, sandbox] of Object.entries(SANDBOXES)) {
  for (const [stop, end] of Object.entries(STOPS)) {
    void test(`${label}: after ${stop}, no daemon the server left survives`, async (t) => {
      const dir = tempDir(t);
      // Under Landlock the manifest's folder is carved: new files go in its subfolders.
      mkdirSync(join(dir, 'pids'));
      const daemonFile = join(dir, 'pids', 'daemons.pid');
      const serverFile = join(dir, 'pids', 'server.pid');
      const manifest = writeManifest(dir, {
        command: process.execPath,
        args: [join(FIXTURES, 'spawn-daemons.mjs')],
        env: { PID_FILE: serverFile, DAEMON_PID_FILE: daemonFile },
        sandbox,
      });
      // The daemons left the tree the test's cleanup walks: they are found by the folder's name.
      t.after(() => killAll(processesNaming(dir)));
      const guard = startGuard(['run', 'server', '-c', manifest], { t, stateDir: dir });
      guard.send(initialize(1));
      assert.equal((await guard.nextLine()).id, 1, guard.stderr());
      const [server] = await readPids(serverFile, 1, 10_000, guard.stderr);
      const daemons = await readPids(daemonFile, 2, 10_000, guard.stderr);
      for (const pid of daemons) {
        assert.notEqual(processGroup(pid), processGroup(server!), `daemon ${pid} left the group`);
      }
      end(guard);
      const exit = await guard.exited;
      if (stop === 'SIGKILL of mcp-guard') {
        for (const pid of [server!, ...daemons]) await waitUntilDead(pid, 10_000, guard.stderr);
      } else {
        assert.deepEqual(exit, { code: 0, signal: null }, guard.stderr());
        for (const pid of [server!, ...daemons]) {
          assert.equal(isAlive(pid), false, `pid ${pid} outlived mcp-guard: ${guard.stderr()}`);
        }
      }
    });
  }
}
