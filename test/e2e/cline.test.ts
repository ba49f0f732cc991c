/**
 * Cline's own stdio client (@cline/core) launching `mcp-guard run NAME -c /abs/mcp-guard.yaml`
 * from cwd `/`, as its settings file would: it connects on its first attempt (within its 3 s),
 * and where it fails against a server directly (test/contract/harness-direct.test.ts: stray
 * stdout, a server request reusing a pending id, a grandchild holding the pipes) it works
 * through mcp-guard.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { connectCline, type ClineSession } from '../helpers/cline-client.js';
import { fixtureCommand, nodeCommand } from '../helpers/fixtures.js';
import {
  guardCommand,
  guardFixture,
  resultText,
  waitAllGone,
  type Guarded,
} from '../helpers/guarded.js';
import { SERVER_EVERYTHING } from '../helpers/paths.js';
import { killAll, readPids, testDir, type TempDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const STEP_MS = 15_000;

/** Cline's session on `guarded`; every pid it or mcp-guard started is killed after the test. */
async function clineThrough(t: TestContext, dir: TempDir, guarded: Guarded) {
  const cline = await connectCline({
    dir: dir.path,
    name: guarded.name,
    ...guarded.command,
    env: guarded.env,
  });
  t.after(() => killAll(cline.spawned.map((child) => child.pid)));
  const serverPid = await guarded.serverPid(cline.stderr);
  t.after(() => killAll([serverPid]));
  const step = <T>(label: string, promise: Promise<T>) =>
    waitFor(promise, STEP_MS, () => `${label}; stderr:\n${cline.stderr()}`);
  return { cline, serverPid, step };
}

/** One attempt (newline) was enough: Cline never fell back to its Content-Length retry. */
function assertFirstAttempt(cline: ClineSession): void {
  assert.deepEqual(
    cline.spawned.map((child) => child.mode),
    ['newline'],
    cline.stderr(),
  );
  assert.equal(cline.snapshot()?.status, 'connected');
}

/** dispose() settles (close() throws otherwise) and mcp-guard and `others` are gone. */
async function closeAll(cline: ClineSession, others: number[]): Promise<void> {
  await cline.close();
  await waitAllGone([...cline.spawned.map((child) => child.pid), ...others], 5000, cline.stderr);
}

void test(
  "Cline's client → mcp-guard → server-everything: connects within its 3 s, lists tools, calls echo",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), { name: 'everything' });
    const { cline, serverPid, step } = await clineThrough(t, dir, guarded);
    assertFirstAttempt(cline);
    assert.match(guarded.command.args.join(' '), / run everything -c \/.*mcp-guard\.yaml$/);

    const tools = await step('listTools', cline.listTools());
    assert.ok(
      tools.some((tool) => tool.name === 'echo'),
      JSON.stringify(tools.map((tool) => tool.name)),
    );
    const echoed = await step('echo', cline.callTool('echo', { message: 'via mcp-guard' }));
    assert.equal(resultText(echoed), 'Echo: via mcp-guard');
    const sum = await step('get-sum', cline.callTool('get-sum', { a: 20, b: 22 }));
    assert.match(resultText(sum), /42/);

    await closeAll(cline, [serverPid]);
    assert.doesNotMatch(cline.stderr(), /error/i);
  },
);

void test(
  "Cline's client → mcp-guard → stdout-noise: connects and calls tools, the noise never reaches it",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'stdout-noise', [], { name: 'noisy' });
    const { cline, serverPid, step } = await clineThrough(t, dir, guarded);
    assertFirstAttempt(cline);
    for (const text of ['first', 'second', 'third']) {
      assert.equal(resultText(await step(text, cline.callTool('echo', { text }))), text);
    }
    assert.ok((await step('listTools', cline.listTools())).length > 0);
    await closeAll(cline, [serverPid]);
    assert.ok(
      guarded.audit().filter((record) => record.event === 'rpc.invalid').length >= 3,
      'the noise was audited',
    );
    assert.doesNotMatch(cline.stderr(), /error/i);
  },
);

void test(
  "Cline's client → mcp-guard → bad-frames: every kind of junk line, and the session carries on",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'bad-frames', [], { name: 'frames' });
    const { cline, serverPid, step } = await clineThrough(t, dir, guarded);
    // Directly, text, ansi, half-json and json-null each kill Cline's connection.
    const kinds = [
      'text',
      'ansi',
      'half-json',
      'json-null',
      'json-object',
      'batch',
      'invalid-utf8',
    ];
    for (const kind of kinds) {
      const reply = await step(kind, cline.callTool('junk', { kinds: [kind] }));
      assert.equal(resultText(reply), 'wrote 1 junk lines', kind);
    }
    assert.equal(
      resultText(await step('echo', cline.callTool('echo', { text: 'still' }))),
      'still',
    );
    assert.equal(cline.snapshot()?.status, 'connected');
    await closeAll(cline, [serverPid]);
    assert.doesNotMatch(cline.stderr(), /error/i);
  },
);

void test(
  "Cline's client → mcp-guard: a server request reusing the pending id is answered by mcp-guard, the call gets its real reply",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'echo', [], { name: 'echo' });
    const { cline, serverPid, step } = await clineThrough(t, dir, guarded);
    // Directly this call resolves `undefined` (test/contract/harness-direct.test.ts): Cline
    // takes the server's request for its reply. Cline declared no sampling: mcp-guard answers it.
    const reply = await step(
      'ask-client',
      cline.callTool('ask-client', {
        method: 'sampling/createMessage',
        params: { messages: [], maxTokens: 1 },
        sameId: true,
      }),
    );
    const outcome = JSON.parse(resultText(reply)) as { error?: { code: number } };
    assert.equal(outcome.error?.code, -32601, resultText(reply));
    const denied = guarded.audit().find((record) => record.event === 'policy.deny');
    assert.equal(denied?.rule, 'client-capability');
    assert.equal(resultText(await step('echo', cline.callTool('echo', { text: 'ok' }))), 'ok');
    await closeAll(cline, [serverPid]);
    assert.doesNotMatch(cline.stderr(), /error/i);
  },
);

void test(
  "Cline's client → mcp-guard → undeclared-request: sampling and elicitation requests never reach Cline",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    // roots/list is left out: with the default profile's roots, SPEC 5 has mcp-guard answer it
    // with those roots (server-requests.test.ts).
    const methods = ['sampling/createMessage', 'elicitation/create'];
    const guarded = guardFixture(dir, 'undeclared-request', methods, { name: 'asker' });
    const { cline, serverPid, step } = await clineThrough(t, dir, guarded);
    const responses = await waitFor(
      async () => {
        const reply = await cline.callTool('responses');
        const list = JSON.parse(resultText(reply)) as { method: string; response: unknown }[];
        return list.length === methods.length ? list : undefined;
      },
      STEP_MS,
      () => `the server never got its ${methods.length} answers; stderr:\n${cline.stderr()}`,
    );
    for (const { method, response } of responses) {
      const error = (response as { error?: { code: number } }).error;
      assert.equal(error?.code, -32601, `${method}: ${JSON.stringify(response)}`);
    }
    assert.equal(resultText(await step('echo', cline.callTool('echo', { text: 'fine' }))), 'fine');
    const denied = guarded.audit().filter((record) => record.rule === 'client-capability');
    assert.deepEqual(denied.map((record) => record.method).sort(), [...methods].sort());
    await closeAll(cline, [serverPid]);
    // (The fixture itself logs each response, errors included, so stderr is not checked here.)
  },
);

void test(
  "Cline's dispose is not stalled by a grandchild holding the server's stdout through mcp-guard",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const grandchildFile = dir.join('grandchild.pid');
    const guarded = guardFixture(dir, 'spawn-grandchild', [], {
      name: 'parent',
      env: { GRANDCHILD_PID_FILE: grandchildFile, GRANDCHILD_STDIO: 'inherit' },
    });
    const { cline, serverPid, step } = await clineThrough(t, dir, guarded);
    const [grandchild] = await readPids(grandchildFile, 1, STEP_MS, cline.stderr);
    t.after(() => killAll([grandchild!]));
    assert.equal(resultText(await step('echo', cline.callTool('echo', { text: 'x' }))), 'x');
    // Cline's close waits for 'close' (every holder of its pipes gone); the grandchild holds
    // only mcp-guard's pipe to the server, never Cline's, and is stopped with the server's group.
    await closeAll(cline, [serverPid, grandchild!]);
    assert.doesNotMatch(cline.stderr(), /error/i);
  },
);

void test(
  "contrast: directly, that grandchild stalls Cline's dispose until it gives up",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const grandchildFile = dir.join('grandchild.pid');
    const cline = await connectCline({
      dir: dir.path,
      name: 'parent',
      ...fixtureCommand('spawn-grandchild'),
      env: { GRANDCHILD_PID_FILE: grandchildFile, GRANDCHILD_STDIO: 'inherit' },
    });
    t.after(() => killAll(cline.spawned.map((child) => child.pid)));
    const [grandchild] = await readPids(grandchildFile, 1, STEP_MS, cline.stderr);
    t.after(() => killAll([grandchild!]));
    await assert.rejects(cline.close(), (error: Error) => {
      const failures = (error.cause as AggregateError).errors as Error[];
      assert.match(String(failures[0]?.message), /did not exit during disconnect/);
      return true;
    });
  },
);

void test(
  "Cline's client → mcp-guard → server-everything SIGKILLed: Cline stays connected and its next call is answered by the new child",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), {
      name: 'everything',
      entry: { restart: { policy: 'on-failure', backoff: { initial: 50, max: 1000 } } },
    });
    const { cline, serverPid, step } = await clineThrough(t, dir, guarded);
    assertFirstAttempt(cline);
    assert.equal(
      resultText(await step('echo before', cline.callTool('echo', { message: 'before' }))),
      'Echo: before',
    );
    process.kill(serverPid, 'SIGKILL');
    // The new child is up once the session has been replayed on it.
    await step(
      'the session replayed on a new child',
      guarded.waitForAudit((r) => r.event === 'session.replay', 15_000, cline.stderr),
    );
    const spawns = guarded.audit().filter((r) => r.event === 'child.spawn');
    const newPid = spawns[1]!.pid as number;
    t.after(() => killAll([newPid]));
    assert.equal(
      resultText(await step('echo after', cline.callTool('echo', { message: 'after' }))),
      'Echo: after',
    );
    assert.equal(cline.snapshot()?.status, 'connected', 'Cline never saw a disconnect');
    assert.deepEqual(
      cline.spawned.map((child) => child.mode),
      ['newline'],
      'Cline did not have to start mcp-guard again',
    );
    await closeAll(cline, [serverPid, newPid]);
    assert.doesNotMatch(cline.stderr(), /error/i);
  },
);
