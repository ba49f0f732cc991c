/**
 * The harness against DIRECT servers (no mcp-guard in between): the SDK's client and Cline's
 * client each reach the reference servers, and Cline's client fails where SPEC.md says it does
 * (slow initialize, stray stdout, server requests reusing a pending id). Tests of mcp-guard swap
 * the command for `node dist/cli/main.js run -- …` and contrast with these.
 */
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import {
  CLINE_CONNECT_TIMEOUT_MS,
  connectCline,
  createClineSession,
  type ClineSession,
} from '../helpers/cline-client.js';
import { fixtureCommand, nodeCommand } from '../helpers/fixtures.js';
import { SERVER_EVERYTHING, SERVER_FILESYSTEM } from '../helpers/paths.js';
import { isAlive, killAll, testDir, waitFor } from '../helpers/processes.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectSdk, type SdkConnection } from '../helpers/sdk-client.js';

const STEP_MS = 10_000;
/** Cline's two initialize attempts, each killing its process (≤ 4.25 s), with room to spare. */
const CLINE_FAIL_MS = 2 * (CLINE_CONNECT_TIMEOUT_MS + 4250) + 5000;

/** An SDK connection killed after the test whatever happens; its pid must be gone at the end. */
async function sdkFor(
  t: TestContext,
  options: Parameters<typeof connectSdk>[0],
): Promise<SdkConnection> {
  const sdk = await connectSdk(options);
  t.after(() => killAll([sdk.pid]));
  return sdk;
}

function clineCleanup(t: TestContext, session: ClineSession): void {
  t.after(() => killAll(session.spawned.map((child) => child.pid)));
}

function assertAllGone(session: ClineSession): void {
  for (const { pid } of session.spawned)
    assert.equal(isAlive(pid), false, `pid ${pid} survived:\n${session.stderr()}`);
}

const text = (result: unknown): string => {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? '').join('');
};

void test(
  'SDK client ↔ server-everything: lists tools, resources and prompts, calls echo',
  { timeout: 30_000 },
  async (t) => {
    const sdk = await sdkFor(t, nodeCommand(SERVER_EVERYTHING));
    const step = <T>(label: string, promise: Promise<T>) =>
      waitFor(promise, STEP_MS, () => `${label}; stderr:\n${sdk.stderr()}`);

    const { tools } = await step('tools/list', sdk.client.listTools());
    assert.ok(
      tools.some((tool) => tool.name === 'echo'),
      JSON.stringify(tools.map((tool) => tool.name)),
    );
    const { resources } = await step('resources/list', sdk.client.listResources());
    assert.ok(resources.length > 0, 'server-everything lists resources');
    const { prompts } = await step('prompts/list', sdk.client.listPrompts());
    assert.ok(prompts.some((prompt) => prompt.name === 'simple-prompt'));
    const echoed = await step(
      'echo',
      sdk.client.callTool({ name: 'echo', arguments: { message: 'hi there' } }),
    );
    assert.equal(text(echoed), 'Echo: hi there');

    await sdk.close();
    assert.equal(isAlive(sdk.pid), false);
  },
);

void test(
  'SDK client ↔ server-filesystem on a temp dir: lists it and reads a file',
  { timeout: 30_000 },
  async (t) => {
    const dir = await testDir(t);
    await writeFile(dir.join('hello.txt'), 'hello from the harness\n');
    const sdk = await sdkFor(t, nodeCommand(SERVER_FILESYSTEM, dir.path));
    const step = <T>(label: string, promise: Promise<T>) =>
      waitFor(promise, STEP_MS, () => `${label}; stderr:\n${sdk.stderr()}`);

    const listing = await step(
      'list_directory',
      sdk.client.callTool({ name: 'list_directory', arguments: { path: dir.path } }),
    );
    assert.match(text(listing), /\[FILE\] hello\.txt/);
    const file = await step(
      'read_text_file',
      sdk.client.callTool({ name: 'read_text_file', arguments: { path: dir.join('hello.txt') } }),
    );
    assert.equal(text(file), 'hello from the harness\n');

    await sdk.close();
    assert.equal(isAlive(sdk.pid), false);
  },
);

void test(
  'SDK client ↔ echo fixture: answers roots/list, receives progress, tolerates stdout noise',
  { timeout: 30_000 },
  async (t) => {
    const sdk = await sdkFor(t, {
      ...fixtureCommand('echo'),
      capabilities: { roots: {} },
      beforeConnect: (client) =>
        client.setRequestHandler(ListRootsRequestSchema, () => ({
          roots: [{ uri: 'file:///harness', name: 'h' }],
        })),
    });
    await sdk.waitForStderr('echo fixture ready');
    const asked = await sdk.client.callTool({
      name: 'ask-client',
      arguments: { method: 'roots/list' },
    });
    assert.deepEqual(JSON.parse(text(asked)), {
      result: { roots: [{ uri: 'file:///harness', name: 'h' }] },
    });
    let progress = 0;
    // Paced: the SDK drops progress that arrives in the same read as the reply ("unknown token").
    const done = await sdk.client.callTool(
      { name: 'progress', arguments: { count: 3, intervalMs: 50 } },
      undefined,
      {
        onprogress: () => progress++,
      },
    );
    assert.equal(text(done), 'sent 3 progress notifications');
    // The SDK runs notification handlers asynchronously: the count may complete after the reply.
    await waitFor(
      () => progress === 3,
      STEP_MS,
      () => `saw ${progress} of 3 progress notifications; SDK errors: ${sdk.errors.join('; ')}`,
    );
    await sdk.close();

    // The SDK's client drops unparseable lines and reports each through onerror, then carries on.
    const noisy = await sdkFor(t, fixtureCommand('stdout-noise'));
    const echoed = await noisy.client.callTool({
      name: 'echo',
      arguments: { text: 'through the noise' },
    });
    assert.equal(text(echoed), 'through the noise');
    assert.ok(noisy.errors.length > 0, 'the SDK reported the noise through onerror');
    await noisy.close();
    assert.equal(isAlive(sdk.pid), false);
    assert.equal(isAlive(noisy.pid), false);
  },
);

void test(
  "Cline's client ↔ server-everything with cwd /: connects, lists tools, calls echo",
  { timeout: 30_000 },
  async (t) => {
    const dir = await testDir(t);
    const cline = await connectCline({
      dir: dir.path,
      name: 'everything',
      ...nodeCommand(SERVER_EVERYTHING),
    });
    clineCleanup(t, cline);
    const step = <T>(label: string, promise: Promise<T>) =>
      waitFor(promise, STEP_MS, () => `${label}; stderr:\n${cline.stderr()}`);

    const tools = await step('listTools', cline.listTools());
    assert.ok(tools.some((tool) => tool.name === 'echo'));
    assert.equal(
      text(await step('echo', cline.callTool('echo', { message: 'from Cline' }))),
      'Echo: from Cline',
    );
    assert.deepEqual(
      cline.spawned.map((child) => child.mode),
      ['newline'],
    );
    if (process.platform === 'linux')
      assert.equal(readlinkSync(`/proc/${cline.spawned[0]!.pid}/cwd`), '/');
    assert.equal(cline.snapshot()?.status, 'connected');

    await cline.close();
    assertAllGone(cline);
  },
);

void test(
  "Cline's client: its initialize declares no capabilities, protocol 2024-11-05",
  { timeout: 30_000 },
  async (t) => {
    const dir = await testDir(t);
    const received = dir.join('received.jsonl');
    const cline = await connectCline({
      dir: dir.path,
      name: 'echo',
      ...fixtureCommand('echo'),
      env: { RECV_LOG: received },
    });
    clineCleanup(t, cline);
    await cline.close();

    const [initialize, initialized] = readFileSync(received, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(initialize, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2024-11-05',
        capabilities: {},
        clientInfo: { name: '@cline/core', version: '0.0.0' },
      },
    });
    assert.deepEqual(initialized, { jsonrpc: '2.0', method: 'notifications/initialized' });
    assertAllGone(cline);
  },
);

void test(
  "Cline's client gives initialize 3 s per attempt, two attempts, then fails",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const slow = await createClineSession({
      dir: dir.path,
      name: 'slow',
      ...fixtureCommand('slow', '4000'),
    });
    clineCleanup(t, slow);

    await assert.rejects(
      waitFor(
        slow.connect(),
        CLINE_FAIL_MS,
        () => `connect never settled; stderr:\n${slow.stderr()}`,
      ),
      // Both attempts failed alike, and Cline then reports the message once.
      {
        message:
          'MCP request to "slow" (initialize) timed out after 3s. Increase the "timeout" field ' +
          '(in seconds) for this server in cline_mcp_settings.json.',
      },
    );
    assert.equal(CLINE_CONNECT_TIMEOUT_MS, 3000);
    assert.deepEqual(
      slow.spawned.map((child) => child.mode),
      ['newline', 'framed'],
    );
    assert.equal(slow.snapshot()?.status, 'disconnected');
    assert.match(
      slow.snapshot()?.lastError ?? '',
      /^MCP request to "slow" \(initialize\) timed out after 3s\./,
    );
    await slow.close();
    assertAllGone(slow);
  },
);

void test(
  "Cline's client: initialize within 3 s connects; a `timeout` key widens the budget",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const quick = await connectCline({
      dir: dir.path,
      name: 'quick',
      ...fixtureCommand('slow', '1000', '0'),
    });
    clineCleanup(t, quick);
    assert.equal(text(await quick.callTool('echo', { text: 'ok' })), 'ok');
    await quick.close();

    const patient = await connectCline({
      dir: dir.path,
      name: 'patient',
      ...fixtureCommand('slow', '4000', '0'),
      timeoutSeconds: 10,
    });
    clineCleanup(t, patient);
    assert.deepEqual(
      patient.spawned.map((child) => child.mode),
      ['newline'],
    );
    await patient.close();
    assertAllGone(quick);
    assertAllGone(patient);
  },
);

void test(
  "Cline's client on stdout-noise directly: the banner fails initialize",
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const noisy = await createClineSession({
      dir: dir.path,
      name: 'noisy',
      ...fixtureCommand('stdout-noise'),
    });
    clineCleanup(t, noisy);

    await assert.rejects(
      waitFor(
        noisy.connect(),
        CLINE_FAIL_MS,
        () => `connect never settled; stderr:\n${noisy.stderr()}`,
      ),
      (error: Error) => {
        const newline = `Invalid MCP response from "noisy": Unexpected token 'S', "Server sta"... is not valid JSON.`;
        const framed = 'MCP request to "noisy" (initialize) timed out after 3s.';
        assert.ok(
          error.message.startsWith(
            `MCP server "noisy" failed to initialize. Newline-delimited attempt: ${newline}`,
          ),
          error.message,
        );
        assert.ok(
          error.message.includes(`Content-Length framed attempt: ${framed}`),
          error.message,
        );
        return true;
      },
    );
    const [first] = noisy.spawned;
    assert.deepEqual(
      await first?.exited,
      { code: null, signal: 'SIGTERM' },
      'Cline kills the process on a bad line',
    );
    await noisy.close();
    assertAllGone(noisy);
  },
);

void test(
  "Cline's client mid-session: JSON without a numeric id is ignored, a non-JSON line drops the connection",
  { timeout: 30_000 },
  async (t) => {
    const dir = await testDir(t);
    const cline = await connectCline({
      dir: dir.path,
      name: 'frames',
      ...fixtureCommand('bad-frames'),
    });
    clineCleanup(t, cline);
    const step = <T>(label: string, promise: Promise<T>) =>
      waitFor(promise, STEP_MS, () => `${label}; stderr:\n${cline.stderr()}`);

    const harmless = [
      'json-object',
      'json-array',
      'json-number',
      'batch',
      'invalid-utf8',
      'wrong-version',
      'no-version',
    ];
    const survived = await step('harmless junk', cline.callTool('junk', { kinds: harmless }));
    assert.equal(text(survived), `wrote ${harmless.length} junk lines`);

    await assert.rejects(
      step('a banner line', cline.callTool('junk', { kinds: ['text'] })),
      (error: Error) => {
        assert.match(
          error.message,
          /^Invalid MCP response from "frames": Unexpected token 'S', "Server sta"\.\.\. is not valid JSON\. stderr: bad-frames fixture ready$/,
        );
        return true;
      },
    );
    assert.deepEqual(await step('the exit', cline.spawned[0]!.exited), {
      code: null,
      signal: 'SIGTERM',
    });
    // No event, no reconnect: the manager still says "connected", and every later call fails.
    assert.equal(cline.snapshot()?.status, 'connected');
    await assert.rejects(step('a later call', cline.callTool('echo', { text: 'again?' })), {
      message: 'MCP server "frames" is not connected.',
    });
    await cline.close();
    assertAllGone(cline);
  },
);

for (const kind of ['ansi', 'half-json', 'json-null']) {
  void test(
    `Cline's client mid-session: a ${kind} line drops the connection too`,
    { timeout: 30_000 },
    async (t) => {
      const dir = await testDir(t);
      const cline = await connectCline({
        dir: dir.path,
        name: 'frames',
        ...fixtureCommand('bad-frames'),
      });
      clineCleanup(t, cline);
      await assert.rejects(
        waitFor(
          cline.callTool('junk', { kinds: [kind] }),
          STEP_MS,
          () => `junk; stderr:\n${cline.stderr()}`,
        ),
        /Invalid MCP response from "frames"/,
      );
      await cline.close();
      assertAllGone(cline);
    },
  );
}

void test(
  "Cline's client takes a server request reusing a pending id for that request's reply (SPEC 6.2)",
  { timeout: 30_000 },
  async (t) => {
    const dir = await testDir(t);
    const received = dir.join('received.jsonl');
    const cline = await connectCline({
      dir: dir.path,
      name: 'echo',
      ...fixtureCommand('echo'),
      env: { RECV_LOG: received },
    });
    clineCleanup(t, cline);

    // The server asks roots/list with the id of the tools/call in flight (ids are per sender).
    const result = await waitFor(
      cline.callTool('ask-client', { method: 'roots/list', sameId: true }),
      STEP_MS,
      () => `ask-client; stderr:\n${cline.stderr()}`,
    );
    assert.equal(result, undefined, 'the request was taken for the reply: its (absent) result');
    await cline.close();
    const sent = readFileSync(received, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { method?: string });
    assert.deepEqual(
      sent.map((message) => message.method),
      ['initialize', 'notifications/initialized', 'tools/call'],
    );
    assertAllGone(cline);
  },
);

void test(
  "Cline's client: a server exiting mid-request rejects the call with the exit's facts",
  { timeout: 30_000 },
  async (t) => {
    const dir = await testDir(t);
    const cline = await connectCline({
      dir: dir.path,
      name: 'dying',
      ...fixtureCommand('exit-mid-request', '3'),
    });
    clineCleanup(t, cline);
    await assert.rejects(
      waitFor(cline.callTool('die'), STEP_MS, () => `die; stderr:\n${cline.stderr()}`),
      /^Error: MCP process exited for "dying" \(code=3, signal=null\)\./,
    );
    assert.equal(cline.snapshot()?.status, 'connected');
    await assert.rejects(cline.callTool('echo', { text: 'x' }), {
      message: 'MCP server "dying" is not connected.',
    });
    await cline.close();
    assertAllGone(cline);
  },
);
