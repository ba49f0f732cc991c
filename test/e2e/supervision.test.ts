/**
 * The surviving session, end to end with the SDK's real client through `mcp-guard run`: the server
 * is SIGKILLed mid-session and the same client connection carries on — a read-only call in flight
 * gets its normal result, a non-idempotent one -31054 and nothing else reaches the client as an
 * error; `logging/setLevel` still holds on the new child. And a server that cannot start answers
 * the client's `initialize` with -31052 after exactly the starts its restart policy allows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CreateMessageRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import {
  guardCommand,
  guardFixture,
  resultText,
  sdkThrough,
  waitAllGone,
} from '../helpers/guarded.js';
import { SERVER_EVERYTHING } from '../helpers/paths.js';
import { connectSdk } from '../helpers/sdk-client.js';
import { isAlive, readPids, testDir } from '../helpers/processes.js';

test('server-everything SIGKILLed mid-session: the same client goes on, in-flight calls answered as SPEC 5 says, log level kept', async (t) => {
  const dir = await testDir(t);
  const guarded = guardCommand(
    dir,
    { command: process.execPath, args: [SERVER_EVERYTHING] },
    { entry: { restart: { policy: 'on-failure', backoff: { initial: 50, max: 1000 } } } },
  );
  const levels: string[] = [];
  let samplingAsked!: () => void;
  const asked = new Promise<void>((resolve) => (samplingAsked = resolve));
  const { sdk, serverPid, step, close } = await sdkThrough(t, guarded, {
    capabilities: { sampling: {} },
    beforeConnect: (client) => {
      client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
        levels.push(notification.params.level);
      });
      // Sampling requests are never answered: the call that asked stays in flight.
      client.setRequestHandler(CreateMessageRequestSchema, () => {
        samplingAsked();
        return new Promise(() => undefined);
      });
    },
  });
  const client = sdk.client;
  await step('setLevel', client.setLoggingLevel('emergency'));
  const { tools } = await step('tools/list', client.listTools());
  const longRunning = tools.find((tool) => tool.name === 'trigger-long-running-operation');
  assert.equal(longRunning?.annotations?.readOnlyHint, true, 'the read-only call of this test');

  const readOnly = client.callTool(
    { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 2 } },
    undefined,
    { timeout: 30_000 },
  );
  const sampling = client.callTool(
    { name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 5 } },
    undefined,
    { timeout: 30_000 },
  );
  const samplingOutcome = sampling.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  // Both calls are with the server: the sampling request has reached the client, and the
  // long-running call (sent first) was forwarded before it.
  await step('the sampling request reaching the client', asked);
  await step(
    'the read-only call forwarded',
    guarded.waitForAudit(
      (r) => r.event === 'rpc.request' && r.tool === 'trigger-long-running-operation',
      10_000,
      sdk.stderr,
    ),
  );
  process.kill(serverPid, 'SIGKILL');

  const error = await step('the in-flight sampling call', samplingOutcome);
  assert.ok(error instanceof McpError, String(error));
  assert.equal(error.code, -31054);
  const result = await step('the in-flight read-only call', readOnly);
  assert.match(resultText(result), /Long running operation completed/);

  const echo = await step(
    'echo after the restart',
    client.callTool({ name: 'echo', arguments: { message: 'still here' } }),
  );
  assert.match(resultText(echo), /still here/);
  const spawned = guarded.audit().filter((r) => r.event === 'child.spawn');
  assert.equal(spawned.length, 2);
  const newPid = spawned[1]!.pid as number;
  assert.notEqual(newPid, serverPid);
  assert.equal(isAlive(serverPid), false);

  // Each start of simulated logging sends one message at a random level at once; only
  // `emergency` ones may come through if the level set before the crash holds on the new child.
  for (let i = 0; i < 8; i += 1) {
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
  }
  await client.callTool({ name: 'echo', arguments: { message: 'flush' } });
  assert.deepEqual(
    levels.filter((level) => level !== 'emergency'),
    [],
    `levels received: ${levels.join(', ')}`,
  );
  t.after(() => waitAllGone([newPid], 5000, sdk.stderr));
  await close();
  await waitAllGone([newPid], 5000, sdk.stderr);
});

test('a server that cannot start: the SDK client gets -31052 for initialize after maxRestarts + 1 starts', async (t) => {
  const dir = await testDir(t);
  const guarded = guardFixture(dir, 'supervised', [], {
    env: { CRASH_STARTS: '1000' },
    entry: {
      restart: {
        policy: 'on-failure',
        maxRestarts: 2,
        window: 60_000,
        backoff: { initial: 50, max: 5000 },
      },
    },
  });
  const outcome = await connectSdk({ ...guarded.command, env: guarded.env }).then(
    async (connection) => {
      await connection.close();
      return 'connected';
    },
    (error: unknown) => error,
  );
  assert.ok(outcome instanceof Error, String(outcome));
  assert.match(outcome.message, /-31052/);
  assert.match(outcome.message, /unavailable \(failed\)/);
  // maxRestarts 2: the first start and two restarts; the next retry is backoff.max (5 s) away.
  assert.equal((await readPids(guarded.pidFile, 3)).length, 3);
  // The client gave up and closed: mcp-guard must be gone (and with it its status file).
  const guardPid = guarded.audit().find((r) => r.event === 'guard.start')?.pid as number;
  await waitAllGone([guardPid], 5000, 'mcp-guard after the client closed');
  const restarts = guarded.audit().filter((r) => r.event === 'child.restart');
  assert.deepEqual(
    restarts.map((r) => r.attempt),
    [1, 2],
  );
});
