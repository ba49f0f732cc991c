/**
 * Through mcp-guard, the reference servers answer the SDK's real client exactly as they do when
 * it talks to them directly: the same lists, the same call results, the same errors. Each test
 * runs one script against both connections, compares everything it saw, and ends with no
 * process left (mcp-guard stopped by the client's close(), the server with it).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { nodeCommand } from '../helpers/fixtures.js';
import { guardCommand, waitAllGone, type Guarded } from '../helpers/guarded.js';
import { SERVER_EVERYTHING, SERVER_FILESYSTEM, SERVER_MEMORY } from '../helpers/paths.js';
import { killAll, testDir } from '../helpers/processes.js';
import { connectSdk, type SdkConnectOptions, type SdkConnection } from '../helpers/sdk-client.js';
import { waitFor } from '../helpers/wait.js';

const STEP_MS = 20_000;

/** What one request produced: its result, or its JSON-RPC error (code and message). */
type Outcome = { result: unknown } | { error: { code: unknown; message: string } };
type Step = [label: string, outcome: Promise<unknown>];
type Script = (client: Client) => Iterable<Step> | AsyncIterable<Step>;

async function sdkFor(t: TestContext, options: SdkConnectOptions): Promise<SdkConnection> {
  const sdk = await connectSdk({ timeoutMs: STEP_MS, ...options });
  t.after(() => killAll([sdk.pid]));
  return sdk;
}

/** Runs `script` on one connection; every step is bounded and quotes that connection's stderr. */
async function observe(sdk: SdkConnection, script: Script): Promise<Record<string, Outcome>> {
  const seen: Record<string, Outcome> = {
    serverInfo: { result: sdk.client.getServerVersion() },
    capabilities: { result: sdk.client.getServerCapabilities() },
    instructions: { result: sdk.client.getInstructions() },
  };
  for await (const [label, pending] of script(sdk.client)) {
    seen[label] = await waitFor(
      pending.then(
        (result) => ({ result }),
        (error: { code?: unknown; message?: unknown }) => ({
          error: { code: error.code, message: String(error.message) },
        }),
      ),
      STEP_MS,
      () => `${label} never settled; stderr:\n${sdk.stderr()}`,
    );
  }
  return seen;
}

/**
 * Connects the SDK directly and through mcp-guard, runs `script` on both, requires the same
 * outcomes, closes both and requires mcp-guard and its server gone, stopped by the client's EOF.
 */
async function assertIdentical(
  t: TestContext,
  direct: SdkConnectOptions,
  guarded: Guarded,
  script: Script,
): Promise<Record<string, Outcome>> {
  const plain = await sdkFor(t, direct);
  const viaGuard = await sdkFor(t, { ...guarded.command, env: guarded.env });
  const serverPid = await guarded.serverPid(viaGuard.stderr);
  t.after(() => killAll([serverPid]));

  const expected = await observe(plain, script);
  const actual = await observe(viaGuard, script);
  assert.deepEqual(actual, expected);

  await plain.close();
  await viaGuard.close();
  await waitAllGone([viaGuard.pid, serverPid], 5000, viaGuard.stderr);
  const stop = guarded.audit().find((record) => record.event === 'guard.stop');
  assert.equal(stop?.reason, 'client-eof', viaGuard.stderr());
  assert.deepEqual(viaGuard.errors, [], 'the SDK reported no error through mcp-guard');
  assert.doesNotMatch(viaGuard.stderr(), /error/i);
  return actual;
}

void test(
  'server-everything through mcp-guard: lists, tools, prompts and resources as direct',
  { timeout: 90_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), { name: 'everything' });
    // The default profile's roots make mcp-guard tell the server the client supports roots
    // (SPEC 5), which adds server-everything's get-roots-list tool: the direct client declares
    // roots too, so both see the same server. (The roots themselves: undeclared-requests.test.ts.)
    const direct: SdkConnectOptions = {
      ...nodeCommand(SERVER_EVERYTHING),
      capabilities: { roots: {} },
      beforeConnect: (client) =>
        client.setRequestHandler(ListRootsRequestSchema, () => ({
          roots: [{ uri: pathToFileURL(dir.path).href }],
        })),
    };
    const seen = await assertIdentical(t, direct, guarded, async function* (client) {
      yield ['tools/list', client.listTools()];
      const resources = client.listResources();
      yield ['resources/list', resources];
      yield ['resources/templates/list', client.listResourceTemplates()];
      yield ['prompts/list', client.listPrompts()];
      yield ['echo', client.callTool({ name: 'echo', arguments: { message: 'same either way' } })];
      yield ['get-sum', client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } })];
      yield [
        'get-structured-content',
        client.callTool({ name: 'get-structured-content', arguments: { location: 'Chicago' } }),
      ];
      yield ['get-tiny-image', client.callTool({ name: 'get-tiny-image', arguments: {} })];
      yield [
        'get-annotated-message',
        client.callTool({
          name: 'get-annotated-message',
          arguments: { messageType: 'success', includeImage: true },
        }),
      ];
      // A tool the server did not list is refused by mcp-guard itself (policy-tools.test.ts).
      yield ['simple-prompt', client.getPrompt({ name: 'simple-prompt' })];
      yield [
        'args-prompt',
        client.getPrompt({ name: 'args-prompt', arguments: { city: 'Lyon', state: 'Rhône' } }),
      ];
      for (const { uri } of (await resources).resources) {
        yield [`read ${uri}`, client.readResource({ uri })];
      }
      yield ['ping', client.ping()];
    });
    const listed = seen['tools/list'] as { result: { tools: { name: string }[] } };
    assert.ok(listed.result.tools.some((tool) => tool.name === 'get-sum'));
    assert.ok(listed.result.tools.some((tool) => tool.name === 'get-roots-list'));
    assert.match(JSON.stringify(seen['get-sum']), /42/);
    assert.ok(Object.keys(seen).filter((key) => key.startsWith('read ')).length > 0);
  },
);

void test(
  'server-filesystem on a temp dir through mcp-guard: lists, reads and searches as direct',
  { timeout: 90_000 },
  async (t) => {
    const dir = await testDir(t);
    const served = dir.join('files');
    await mkdir(dir.join('files', 'notes'), { recursive: true });
    await writeFile(dir.join('files', 'hello.txt'), 'hello through mcp-guard\nsecond line\n');
    await writeFile(dir.join('files', 'notes', 'todo.md'), '# todo\n- compare\n');
    const server = nodeCommand(SERVER_FILESYSTEM, served);
    // mcp-guard hands the server these roots (SPEC 5) and server-filesystem then serves exactly
    // them: the same folder it serves directly from its argument.
    const guarded = guardCommand(dir, server, { entry: { paths: { roots: [served] } } });
    const file = dir.join('files', 'hello.txt');
    const call = (client: Client, name: string, args: Record<string, unknown>) =>
      client.callTool({ name, arguments: args });
    const seen = await assertIdentical(t, server, guarded, function* (client) {
      yield ['tools/list', client.listTools()];
      yield ['resources/list', client.listResources()];
      yield ['resources/templates/list', client.listResourceTemplates()];
      yield ['prompts/list', client.listPrompts()];
      yield ['list_allowed_directories', call(client, 'list_allowed_directories', {})];
      yield ['list_directory', call(client, 'list_directory', { path: served })];
      yield ['directory_tree', call(client, 'directory_tree', { path: served })];
      yield ['read_text_file', call(client, 'read_text_file', { path: file })];
      yield ['read_file', call(client, 'read_file', { path: file })];
      yield ['read_text_file head', call(client, 'read_text_file', { path: file, head: 1 })];
      yield [
        'read_multiple_files',
        call(client, 'read_multiple_files', {
          paths: [file, dir.join('files', 'notes', 'todo.md')],
        }),
      ];
      yield ['search_files', call(client, 'search_files', { path: served, pattern: '**/*.md' })];
      yield ['missing file', call(client, 'read_text_file', { path: dir.join('files', 'nope') })];
    });
    assert.match(JSON.stringify(seen.list_directory), /\[FILE\] hello\.txt/);
    assert.match(JSON.stringify(seen.read_text_file), /hello through mcp-guard/);
  },
);

void test(
  'server-memory through mcp-guard: creates entities and reads the graph back as direct',
  { timeout: 90_000 },
  async (t) => {
    const dir = await testDir(t);
    const directFile = dir.join('direct-memory.jsonl');
    const guardedFile = dir.join('guarded-memory.jsonl');
    const guarded = guardCommand(dir, nodeCommand(SERVER_MEMORY), {
      name: 'memory',
      env: { MEMORY_FILE_PATH: guardedFile },
    });
    const call = (client: Client, name: string, args: Record<string, unknown>) =>
      client.callTool({ name, arguments: args });
    const seen = await assertIdentical(
      t,
      { ...nodeCommand(SERVER_MEMORY), env: { MEMORY_FILE_PATH: directFile } },
      guarded,
      function* (client) {
        yield ['tools/list', client.listTools()];
        yield ['resources/list', client.listResources()];
        yield ['prompts/list', client.listPrompts()];
        yield [
          'create_entities',
          call(client, 'create_entities', {
            entities: [
              { name: 'mcp-guard', entityType: 'tool', observations: ['relays JSON-RPC'] },
              { name: 'Cline', entityType: 'client', observations: ['launches servers'] },
            ],
          }),
        ];
        yield [
          'create_relations',
          call(client, 'create_relations', {
            relations: [{ from: 'Cline', to: 'mcp-guard', relationType: 'launches' }],
          }),
        ];
        yield [
          'add_observations',
          call(client, 'add_observations', {
            observations: [{ entityName: 'mcp-guard', contents: ['drops junk'] }],
          }),
        ];
        yield ['read_graph', call(client, 'read_graph', {})];
        yield ['search_nodes', call(client, 'search_nodes', { query: 'junk' })];
        yield ['open_nodes', call(client, 'open_nodes', { names: ['Cline'] })];
      },
    );
    assert.match(JSON.stringify(seen.read_graph), /drops junk/);
    // The manifest's env reached the server: it wrote where MEMORY_FILE_PATH says.
    assert.equal(await readFile(guardedFile, 'utf8'), await readFile(directFile, 'utf8'));
  },
);
