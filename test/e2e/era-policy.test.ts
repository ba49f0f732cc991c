/**
 * The policy in the stateless era (MCP 2026-07-28), end to end: the v2 SDK's client pinned to
 * 2026-07-28 in front of a v2 SDK server (test/fixtures/input-server.mjs) through the built CLI.
 * Every refusal mcp-guard writes is a result that client accepts; `elicitation: deny`,
 * `sampling: deny` and `paths.roots` hold for the requests the server makes inside its results
 * (`inputRequests`): the client is never asked, and the server gets mcp-guard's answers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { pathToFileURL } from 'node:url';
import { nodeCommand } from '../helpers/fixtures.js';
import { guardCommand, resultText, stepper } from '../helpers/guarded.js';
import type { JsonObject } from '../helpers/raw-client.js';
import { killAll, testDir } from '../helpers/processes.js';
import { FIXTURES } from '../helpers/paths.js';

const CLIENT_ROOTS = { roots: [{ uri: 'file:///', name: 'everything' }] };

/** The v2 client, pinned to 2026-07-28, launching mcp-guard; it counts what it is asked. */
async function connect(t: TestContext, entry: JsonObject, askAnyway = false) {
  const dir = await testDir(t);
  const toldLog = dir.join('told.jsonl');
  const guarded = guardCommand(dir, nodeCommand(`${FIXTURES}/input-server.mjs`), {
    name: 'inputs',
    entry,
    env: { TOLD_LOG: toldLog, ...(askAnyway ? { ASK_ANYWAY: '1' } : {}) },
  });
  /** The client capabilities each request told the server. */
  const told = () =>
    readFileSync(toldLog, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as JsonObject);
  let stderr = '';
  const transport = new StdioClientTransport({
    ...guarded.command,
    env: guarded.env,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const client = new Client(
    { name: 'era-policy', version: '0.0.0' },
    {
      capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} },
      versionNegotiation: { mode: { pin: '2026-07-28' } },
    },
  );
  const asked: string[] = [];
  client.setRequestHandler('elicitation/create', (request) => {
    asked.push('elicitation/create');
    return (request.params as { mode?: string }).mode === 'url'
      ? { action: 'accept' }
      : { action: 'accept', content: { name: 'Ada' } };
  });
  client.setRequestHandler('sampling/createMessage', () => {
    asked.push('sampling/createMessage');
    return { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' } as never;
  });
  client.setRequestHandler('roots/list', () => {
    asked.push('roots/list');
    return CLIENT_ROOTS;
  });
  const step = stepper(() => stderr);
  await step('connect', client.connect(transport));
  const pid = transport.pid;
  t.after(async () => {
    await client.close().catch(() => undefined);
    if (pid !== null) killAll([pid]);
  });
  const call = (name: string, args: Record<string, unknown> = {}) =>
    step(`call ${name}`, client.callTool({ name, arguments: args }));
  return { client, call, asked, guarded, told, stderr: () => stderr, dir };
}

/** What the fixture reports it got in `inputResponses`. */
const got = (result: unknown) => JSON.parse(resultText(result)) as Record<string, JsonObject>;

void test(
  '2026-07-28: the client accepts every refusal mcp-guard sends (denied, rate limited, invalid, path, cut)',
  { timeout: 90_000 },
  async (t) => {
    const { call, dir, stderr } = await connect(t, {
      tools: { deny: ['denied'], rateLimits: { limited: 1 } },
      paths: { roots: ['${workspaceFolder}'] },
      output: { maxResultBytes: 4096 },
    });
    const blocked = (result: unknown) => {
      assert.equal((result as { isError?: boolean }).isError, true, stderr());
      assert.match(resultText(result), /^Blocked by mcp-guard: /);
    };
    blocked(await call('denied'));
    assert.equal(resultText(await call('limited')), 'ran');
    blocked(await call('limited'));
    blocked(await call('typed', { count: 'three' }));
    blocked(await call('read_file', { path: '/etc/passwd' }));
    assert.equal(
      resultText(await call('read_file', { path: dir.join('x') })),
      `read ${dir.join('x')}`,
    );
    const cut = await call('big');
    assert.match(resultText(cut), /\[mcp-guard cut this result to output.maxResultBytes/);
  },
);

void test(
  '2026-07-28, elicitation: deny: the server is told the client cannot; one that asks anyway gets a decline (form and URL), the client is never asked',
  { timeout: 60_000 },
  async (t) => {
    const compliant = await connect(t, { elicitation: 'deny' });
    // The SDK's server does not ask for what the request did not declare: it fails the call.
    await assert.rejects(compliant.call('ask_name'), /Cannot request input/);
    assert.ok(
      compliant.told().every((caps) => !('elicitation' in caps)),
      JSON.stringify(compliant.told()),
    );
    const { call, asked, guarded, told } = await connect(t, { elicitation: 'deny' }, true);
    assert.deepEqual(got(await call('ask_name')), { name: { kind: 'elicit', action: 'decline' } });
    assert.deepEqual(got(await call('ask_url')), { signin: { kind: 'elicit', action: 'decline' } });
    assert.deepEqual([...compliant.asked, ...asked], []);
    assert.ok(
      told().every((caps) => !('elicitation' in caps)),
      JSON.stringify(told()),
    );
    const denials = guarded.audit().filter((r) => r.event === 'policy.deny');
    assert.ok(
      denials.some((r) => r.rule === 'elicitation' && String(r.reason).includes('declined')),
      JSON.stringify(denials),
    );
  },
);

void test(
  '2026-07-28, sampling: deny: a server that asks anyway has its call refused; the client is never asked',
  { timeout: 60_000 },
  async (t) => {
    const { call, asked, told } = await connect(t, { sampling: 'deny' }, true);
    const refused = await call('ask_model');
    assert.equal((refused as { isError?: boolean }).isError, true);
    assert.match(resultText(refused), /^Blocked by mcp-guard: sampling: /);
    assert.deepEqual(asked, []);
    assert.ok(
      told().every((caps) => !('sampling' in caps)),
      JSON.stringify(told()),
    );
  },
);

void test(
  '2026-07-28, paths.roots: the server sees only the manifest’s roots; allowed requests reach the client',
  { timeout: 60_000 },
  async (t) => {
    const { call, asked, dir, told } = await connect(t, {
      paths: { roots: ['${workspaceFolder}'] },
    });
    const roots = got(await call('ask_roots'));
    assert.deepEqual(roots.where, {
      kind: 'roots',
      roots: [{ uri: pathToFileURL(dir.path).href, name: dir.path.split('/').pop() }],
    });
    assert.deepEqual(asked, [], 'roots are answered by mcp-guard');
    const both = got(await call('ask_all'));
    assert.deepEqual(both.name, { kind: 'elicit', action: 'accept', content: { name: 'Ada' } });
    assert.equal((both.where as { kind: string }).kind, 'roots');
    assert.deepEqual((both.where as { roots: unknown }).roots, roots.where?.roots);
    assert.deepEqual(asked, ['elicitation/create']);
    const model = got(await call('ask_model'));
    assert.equal(model.hi?.kind, 'sampling');
    assert.deepEqual(asked, ['elicitation/create', 'sampling/createMessage']);
    // Every request of the client's (mcp-guard's own declare nothing) says roots, as paths.roots does.
    const clients = told().filter((caps) => Object.keys(caps).length > 0);
    assert.ok(
      clients.length >= 4 && clients.every((caps) => 'roots' in caps),
      JSON.stringify(told()),
    );
  },
);

void test(
  '2026-07-28: a tool with an outputSchema may ask for input; its final result is checked',
  { timeout: 60_000 },
  async (t) => {
    const { client, call, asked } = await connect(t, {});
    await client.listTools();
    const done = await call('ask_structured');
    assert.deepEqual((done as { structuredContent?: unknown }).structuredContent, {
      action: 'accept',
    });
    assert.deepEqual(asked, ['elicitation/create']);
  },
);
