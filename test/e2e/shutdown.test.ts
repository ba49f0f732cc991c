/**
 * No process left behind when a real client ends the session (SPEC 5): the SDK's close() and
 * Cline's dispose() each leave neither mcp-guard, nor the server, nor its grandchildren — also
 * when the server ignores EOF and SIGTERM, or a grandchild holds the server's stdout. mcp-guard
 * ends on the client's EOF by itself (audited `guard.stop`, reason `client-eof`) within the 2 s
 * the SDK waits before signalling it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectCline } from '../helpers/cline-client.js';
import { guardFixture, resultText, sdkThrough, waitAllGone } from '../helpers/guarded.js';
import { isAlive, killAll, readPids, testDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const STEP_MS = 20_000;

const stopReason = (records: Record<string, unknown>[]) =>
  records.find((record) => record.event === 'guard.stop')?.reason;

for (const stdio of ['ignore', 'inherit']) {
  void test(
    `SDK close(): mcp-guard, the server and its grandchildren (stdio ${stdio}) are gone`,
    { timeout: 60_000 },
    async (t) => {
      const dir = await testDir(t);
      const grandchildFile = dir.join('grandchild.pid');
      const guarded = guardFixture(dir, 'spawn-grandchild', [], {
        env: { GRANDCHILD_PID_FILE: grandchildFile, GRANDCHILD_STDIO: stdio },
      });
      const { sdk, serverPid, step, close } = await sdkThrough(t, guarded);
      const second = await step(
        'spawn-grandchild',
        sdk.client.callTool({ name: 'spawn-grandchild', arguments: {} }),
      );
      const grandchildren = await readPids(grandchildFile, 2, STEP_MS, sdk.stderr);
      t.after(() => killAll(grandchildren));
      assert.equal(String(grandchildren[1]), resultText(second));
      assert.ok(grandchildren.every(isAlive), 'the grandchildren run while the session does');

      await close(); // mcp-guard (transport.pid) and the server gone
      await waitAllGone(grandchildren, 5000, sdk.stderr);
      assert.equal(isAlive(serverPid), false);
      assert.equal(stopReason(guarded.audit()), 'client-eof', sdk.stderr());
      assert.doesNotMatch(sdk.stderr(), /error/i);
    },
  );
}

void test(
  'SDK close(): a server ignoring EOF and SIGTERM is killed, nothing is left',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'ignore-sigterm');
    const { sdk, serverPid, step, close } = await sdkThrough(t, guarded);
    assert.equal(
      resultText(
        await step('echo', sdk.client.callTool({ name: 'echo', arguments: { text: 'a' } })),
      ),
      'a',
    );
    await close();
    assert.equal(isAlive(serverPid), false);
    const exit = guarded.audit().find((record) => record.event === 'child.exit');
    assert.equal(exit?.signal, 'SIGKILL', JSON.stringify(exit));
  },
);

void test(
  "Cline's dispose(): a server ignoring EOF and SIGTERM is gone, and dispose does not fail",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'ignore-sigterm', [], { name: 'stubborn' });
    const cline = await connectCline({
      dir: dir.path,
      name: guarded.name,
      ...guarded.command,
      env: guarded.env,
    });
    t.after(() => killAll(cline.spawned.map((child) => child.pid)));
    const serverPid = await guarded.fixturePid(cline.stderr);
    t.after(() => killAll([serverPid]));
    const reply = await waitFor(
      cline.callTool('echo', { text: 'b' }),
      STEP_MS,
      () => `echo; stderr:\n${cline.stderr()}`,
    );
    assert.equal(resultText(reply), 'b');
    await cline.close(); // throws if dispose() failed (a process that "did not exit")
    await waitAllGone([...cline.spawned.map((child) => child.pid), serverPid], 5000, cline.stderr);
  },
);

void test(
  "Cline's dispose(): spawn-grandchild's grandchildren are stopped with the server",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const grandchildFile = dir.join('grandchild.pid');
    const guarded = guardFixture(dir, 'spawn-grandchild', [], {
      name: 'parent',
      env: { GRANDCHILD_PID_FILE: grandchildFile },
    });
    const cline = await connectCline({
      dir: dir.path,
      name: guarded.name,
      ...guarded.command,
      env: guarded.env,
    });
    t.after(() => killAll(cline.spawned.map((child) => child.pid)));
    const serverPid = await guarded.fixturePid(cline.stderr);
    const [grandchild] = await readPids(grandchildFile, 1, STEP_MS, cline.stderr);
    t.after(() => killAll([serverPid, grandchild!]));
    await cline.close();
    await waitAllGone([serverPid, grandchild!], 5000, cline.stderr);
    assert.equal(stopReason(guarded.audit()), 'client-eof', cline.stderr());
  },
);
