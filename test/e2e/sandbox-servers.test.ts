/**
 * The reference servers confined by the OS sandbox (`sandbox.mode: required`, `network: deny`)
 * work normally through `mcp-guard run`, driven by the SDK's real client: the filesystem server
 * reads and writes its root, the memory server keeps its graph in a file of the root.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { nodeCommand } from '../helpers/fixtures.js';
import { guardCommand, resultText, sdkThrough, type Guarded } from '../helpers/guarded.js';
import { SERVER_FILESYSTEM, SERVER_MEMORY } from '../helpers/paths.js';
import { testDir } from '../helpers/processes.js';

const CONFINED = { sandbox: { mode: 'required', network: 'deny' } };

function appliedSandbox(guarded: Guarded) {
  const records = guarded.audit().filter((record) => record.event === 'sandbox.applied');
  assert.equal(records.length, 1);
  return [records[0]!.backend, records[0]!.requested, records[0]!.network];
}

void test('server-filesystem runs confined and reads, writes and lists its root', async (t) => {
  const dir = await testDir(t);
  const served = dir.join('files');
  await mkdir(served);
  await writeFile(dir.join('files', 'hello.txt'), 'hello from the host');
  const guarded = guardCommand(dir, nodeCommand(SERVER_FILESYSTEM, served), {
    name: 'files',
    entry: { ...CONFINED, paths: { roots: [served] } },
  });
  const { sdk, step, close } = await sdkThrough(t, guarded);
  // server-filesystem asks for the roots after `initialized` and then serves only those.
  await step(
    'the roots taken',
    sdk.waitForStderr('Updated allowed directories from MCP roots', 20_000),
  );
  const call = (name: string, args: Record<string, unknown>) =>
    step(name, sdk.client.callTool({ name, arguments: args }));

  assert.match(resultText(await call('list_allowed_directories', {})), new RegExp(served));
  assert.equal(
    resultText(await call('read_text_file', { path: dir.join('files', 'hello.txt') })),
    'hello from the host',
  );
  await call('write_file', { path: dir.join('files', 'new.txt'), content: 'written confined' });
  assert.match(resultText(await call('list_directory', { path: served })), /\[FILE\] new\.txt/);
  await close();
  assert.equal(await readFile(dir.join('files', 'new.txt'), 'utf8'), 'written confined');
  assert.deepEqual(appliedSandbox(guarded), ['bwrap', 'required', 'deny']);
});

void test('server-memory runs confined and keeps its graph in its root', async (t) => {
  const dir = await testDir(t);
  const memoryFile = dir.join('memory.jsonl');
  const guarded = guardCommand(dir, nodeCommand(SERVER_MEMORY), {
    name: 'memory',
    env: { MEMORY_FILE_PATH: memoryFile },
    entry: CONFINED,
  });
  const { sdk, step, close } = await sdkThrough(t, guarded);
  await step(
    'create_entities',
    sdk.client.callTool({
      name: 'create_entities',
      arguments: {
        entities: [{ name: 'mcp-guard', entityType: 'tool', observations: ['confined'] }],
      },
    }),
  );
  const graph = await step(
    'read_graph',
    sdk.client.callTool({ name: 'read_graph', arguments: {} }),
  );
  assert.match(resultText(graph), /confined/);
  await close();
  assert.match(await readFile(memoryFile, 'utf8'), /"name":"mcp-guard"/);
  assert.deepEqual(appliedSandbox(guarded), ['bwrap', 'required', 'deny']);
});
