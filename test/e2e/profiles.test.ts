/**
 * The built-in profiles end to end (SPEC 4): a project folder whose manifest names only
 * `profile: NAME`, the built CLI launched as a client config launches it, the SDK's real client,
 * and the real reference servers (server-filesystem, server-everything for sampling) and the
 * hostile fixture (for what only the OS sandbox sees). What each profile allows and refuses:
 * strict confines to the workspace, cuts the network, hides `.env` and refuses sampling;
 * readonly removes and refuses write_file; observe refuses nothing and records every refusal
 * strict would have made, which `mcp-guard logs --denied` then lists.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { test, type TestContext } from 'node:test';
import {
  CreateMessageRequestSchema,
  type CreateMessageResult,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { fixtureCommand, nodeCommand, type CommandLine } from '../helpers/fixtures.js';
import { readAudit } from '../helpers/guard-process.js';
import { resultText, stepper } from '../helpers/guarded.js';
import { CLI, SERVER_EVERYTHING, SERVER_FILESYSTEM } from '../helpers/paths.js';
import { killAll, testDir, waitFor } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';
import { connectSdk, type SdkConnectOptions } from '../helpers/sdk-client.js';

const SECRET = 'outside the workspace';
const DOTENV = 'API_KEY=do-not-leak';
const BLOCKED = /^Blocked by mcp-guard: /;
const SAMPLED: CreateMessageResult = {
  model: 'test-model',
  role: 'assistant',
  content: { type: 'text', text: 'sampled by the test client' },
};

/**
 * A project `ws/` (manifest naming `profile`, hello.txt, .env) beside `outside/secret.txt`; the
 * audit log outside the project. Every server is given `/` and learns its root from mcp-guard.
 */
async function project(t: TestContext, profile: string, servers: Record<string, CommandLine>) {
  const dir = await testDir(t);
  const base = await realpath(dir.path);
  const ws = `${base}/ws`;
  await mkdir(ws);
  await mkdir(`${base}/outside`);
  await writeFile(`${ws}/hello.txt`, 'hello from the workspace\n');
  await writeFile(`${ws}/.env`, `${DOTENV}\n`);
  await writeFile(`${base}/outside/secret.txt`, SECRET);
  const manifest = `${ws}/mcp-guard.yaml`;
  const entries = Object.fromEntries(
    Object.entries(servers).map(([name, { command, args }]) => [name, { command, args }]),
  );
  await writeFile(
    manifest,
    `${JSON.stringify({ version: 1, profile, audit: { file: '../audit.jsonl' }, servers: entries }, null, 2)}\n`,
  );
  const auditFile = `${base}/audit.jsonl`;
  const env = { XDG_STATE_HOME: `${base}/state`, XDG_CONFIG_HOME: `${base}/config` };
  return { base, ws, manifest, auditFile, env, audit: () => readAudit(auditFile) };
}

type Project = Awaited<ReturnType<typeof project>>;

/** `mcp-guard run NAME -c MANIFEST` from the SDK's client; killed after the test whatever happens. */
async function connect(
  t: TestContext,
  p: Project,
  name: string,
  options: Partial<SdkConnectOptions> = {},
) {
  const sdk = await connectSdk({
    command: process.execPath,
    args: [CLI, 'run', name, '-c', p.manifest],
    env: p.env,
    cwd: '/',
    timeoutMs: 20_000,
    ...options,
  });
  t.after(() => killAll([sdk.pid]));
  const step = stepper(sdk.stderr, 30_000);
  const spawned = await waitFor(
    () => p.audit().find((r) => r.event === 'child.spawn' && r.server === name),
    20_000,
    () => `no child.spawn for ${name}; stderr:\n${sdk.stderr()}`,
  );
  t.after(() => killAll([spawned.pid as number]));
  const call = async (tool: string, args: Record<string, unknown>) => {
    const result = await step(tool, sdk.client.callTool({ name: tool, arguments: args }));
    return { text: resultText(result), isError: result.isError === true };
  };
  return { sdk, step, call };
}

/** server-filesystem, once it has taken the roots mcp-guard answered (it asks after initialized). */
async function filesystem(t: TestContext, p: Project, rootsExpected = true) {
  const session = await connect(t, p, 'files');
  if (rootsExpected)
    await session.step(
      'the roots taken',
      session.sdk.waitForStderr('Updated allowed directories from MCP roots', 20_000),
    );
  return session;
}

const denials = (p: Project, server: string): JsonObject[] =>
  p.audit().filter((r) => r.event === 'policy.deny' && r.server === server);

const sandboxOf = (p: Project, server: string): unknown[] => {
  const applied = p.audit().find((r) => r.event === 'sandbox.applied' && r.server === server);
  return [applied?.backend, applied?.requested, applied?.network];
};

/** A TCP listener on the host's loopback, closed after the test; counts connections. */
async function hostListener(t: TestContext): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    socket.end('hello from the host');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { port: address.port, accepted: () => accepted };
}

/** One action of the hostile fixture, through its innocent-looking `blob` tool. */
const blob = (action: JsonObject) => ({
  data: Buffer.from(JSON.stringify(action)).toString('base64'),
});

void test(
  'strict: only the workspace, no network for a server that dials out, .env unreadable, sampling refused',
  { timeout: 180_000 },
  async (t) => {
    const p = await project(t, 'strict', {
      files: nodeCommand(SERVER_FILESYSTEM, '/'),
      hostile: fixtureCommand('hostile'),
      everything: nodeCommand(SERVER_EVERYTHING),
      asker: fixtureCommand('echo'),
    });

    // server-filesystem: the workspace works; outside it and .env are refused by mcp-guard.
    const fs = await filesystem(t, p);
    const allowed = await fs.call('list_allowed_directories', {});
    assert.deepEqual(allowed.text.split('\n').slice(1), [p.ws], allowed.text);
    assert.match((await fs.call('read_text_file', { path: `${p.ws}/hello.txt` })).text, /hello/);
    const written = await fs.call('write_file', { path: `${p.ws}/new.txt`, content: 'strict' });
    assert.equal(written.isError, false, written.text);
    for (const path of [`${p.base}/outside/secret.txt`, `${p.ws}/.env`, `${p.ws}/sub/../.env`]) {
      const refused = await fs.call('read_text_file', { path });
      assert.equal(refused.isError, true, path);
      assert.match(refused.text, BLOCKED, path);
      assert.doesNotMatch(refused.text, new RegExp(`${SECRET}|${DOTENV}`));
    }
    await fs.sdk.close();
    assert.deepEqual(sandboxOf(p, 'files'), ['bwrap', 'required', 'deny']);
    assert.ok(
      denials(p, 'files').filter((r) => r.rule === 'paths' && r.enforced === undefined).length >= 3,
    );

    // The hostile fixture does the same by itself: only the OS sandbox stands in its way.
    const host = await hostListener(t);
    const hostile = await connect(t, p, 'hostile');
    const act = async (action: JsonObject) =>
      JSON.parse((await hostile.call('blob', blob(action))).text) as {
        ok: boolean;
        data?: unknown;
      };
    assert.deepEqual(await act({ op: 'read', path: `${p.ws}/hello.txt` }), {
      ok: true,
      data: 'hello from the workspace\n',
    });
    assert.equal((await act({ op: 'read', path: `${p.base}/outside/secret.txt` })).ok, false);
    assert.equal((await act({ op: 'read', path: `${p.ws}/.env` })).ok, false, '.env is masked');
    assert.equal((await act({ op: 'tcp', host: '127.0.0.1', port: host.port })).ok, false);
    assert.equal(host.accepted(), 0, 'no connection reached the host');
    await hostile.sdk.close();

    // Sampling: the server is not told the client can sample (server-everything then offers no
    // sampling tool), and a server that asks anyway is refused; the client's model is never asked.
    const prompts: unknown[] = [];
    const sampling: Partial<SdkConnectOptions> = {
      capabilities: { sampling: {} },
      beforeConnect: (client) =>
        client.setRequestHandler(CreateMessageRequestSchema, (request) => {
          prompts.push(request.params.messages);
          return SAMPLED;
        }),
    };
    const everything = await connect(t, p, 'everything', sampling);
    const listed = await everything.step('tools/list', everything.sdk.client.listTools());
    assert.ok(listed.tools.length > 0);
    assert.ok(!listed.tools.some((tool) => tool.name === 'trigger-sampling-request'));
    await everything.sdk.close();
    const hidden = denials(p, 'everything').find((r) => r.rule === 'sampling');
    assert.equal(hidden?.method, 'initialize', JSON.stringify(denials(p, 'everything')));
    assert.equal(hidden.enforced, undefined);

    const asker = await connect(t, p, 'asker', sampling);
    const asked = await asker.call('ask-client', {
      method: 'sampling/createMessage',
      params: { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 },
    });
    assert.equal(
      (JSON.parse(asked.text) as { error?: { code: number } }).error?.code,
      ErrorCode.PolicyDenied,
    );
    assert.deepEqual(prompts, []);
    await asker.sdk.close();
    const refused = denials(p, 'asker').find((r) => r.method === 'sampling/createMessage');
    assert.equal(refused?.rule, 'sampling', JSON.stringify(denials(p, 'asker')));
    assert.equal(refused.enforced, undefined);
  },
);

void test(
  'readonly: write_file is absent and refused; reading the workspace still works',
  {
    timeout: 120_000,
  },
  async (t) => {
    const p = await project(t, 'readonly', { files: nodeCommand(SERVER_FILESYSTEM, '/') });
    // No roots under readonly: mcp-guard answers no roots/list, the server keeps `/`.
    const fs = await filesystem(t, p, false);
    const { tools } = await fs.step('tools/list', fs.sdk.client.listTools());
    const names = tools.map((tool) => tool.name);
    assert.ok(names.includes('read_text_file'), names.join(', '));
    for (const writer of ['write_file', 'edit_file', 'move_file', 'create_directory'])
      assert.ok(!names.includes(writer), `${writer} listed: ${names.join(', ')}`);
    assert.match((await fs.call('read_text_file', { path: `${p.ws}/hello.txt` })).text, /hello/);
    const write = await fs.call('write_file', { path: `${p.ws}/new.txt`, content: 'no' });
    assert.equal(write.isError, true);
    assert.match(write.text, BLOCKED);
    const env = await fs.call('read_text_file', { path: `${p.ws}/.env` });
    assert.match(env.text, BLOCKED, 'strict’s denials hold under readonly');
    await fs.sdk.close();
    assert.equal(existsSync(`${p.ws}/new.txt`), false);
    assert.deepEqual(sandboxOf(p, 'files'), ['bwrap', 'required', 'deny']);
  },
);

void test(
  'observe: nothing refused, hidden or cut; every refusal strict would make is in logs --denied',
  { timeout: 180_000 },
  async (t) => {
    const p = await project(t, 'observe', {
      files: nodeCommand(SERVER_FILESYSTEM, '/'),
      everything: nodeCommand(SERVER_EVERYTHING),
    });
    const fs = await filesystem(t, p);
    // strict would refuse .env; observe lets it through and records it.
    const env = await fs.call('read_text_file', { path: `${p.ws}/.env` });
    assert.equal(env.isError, false, env.text);
    assert.match(env.text, new RegExp(DOTENV));
    const { tools } = await fs.step('tools/list', fs.sdk.client.listTools());
    assert.ok(
      tools.some((tool) => tool.name === 'write_file'),
      'nothing hidden',
    );
    await fs.sdk.close();
    assert.deepEqual(sandboxOf(p, 'files'), ['none', 'off', 'allow']);

    const prompts: unknown[] = [];
    const everything = await connect(t, p, 'everything', {
      capabilities: { sampling: {} },
      beforeConnect: (client) =>
        client.setRequestHandler(CreateMessageRequestSchema, (request) => {
          prompts.push(request.params.messages);
          return SAMPLED;
        }),
    });
    const sampled = await everything.call('trigger-sampling-request', {
      prompt: 'observe me',
      maxTokens: 5,
    });
    assert.match(sampled.text, /sampled by the test client/);
    assert.equal(prompts.length, 1);
    await everything.sdk.close();

    // Every would-be refusal is audited, not enforced; message bodies are logged too.
    const observed = p.audit().filter((r) => r.event === 'policy.deny');
    assert.ok(observed.length >= 2, JSON.stringify(observed));
    assert.ok(
      observed.every((r) => r.enforced === false),
      JSON.stringify(observed),
    );
    assert.ok(observed.some((r) => r.server === 'files' && r.rule === 'paths'));
    assert.ok(
      observed.some((r) => r.server === 'everything' && r.method === 'sampling/createMessage'),
    );
    assert.ok(
      p.audit().some((r) => r.event === 'rpc.request' && r.body !== undefined),
      'bodies are logged',
    );

    const logs = spawnSync(process.execPath, [CLI, 'logs', '-c', p.manifest, '--denied'], {
      env: { ...process.env, ...p.env, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(logs.status, 0, logs.stderr);
    const lines = logs.stdout.trimEnd().split('\n');
    assert.equal(lines.length, observed.length, logs.stdout);
    for (const line of lines)
      assert.match(line, /policy\.deny .*would deny .*\(observed, not enforced\)$/);
    assert.match(logs.stdout, /files .*paths: /);
    assert.match(logs.stdout, /everything .*sampling/);
    assert.match(logs.stderr, /observed \(not enforced\)/);
    assert.equal(await readFile(`${p.ws}/.env`, 'utf8'), `${DOTENV}\n`);
  },
);
