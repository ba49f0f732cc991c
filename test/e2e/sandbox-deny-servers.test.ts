/**
 * The reference servers under `network: deny` with the socket rule in force (a seccomp program
 * under both Linux backends: no socket but socketpair(2), netlink and, under bubblewrap, IP in
 * its own namespace): server-everything and server-filesystem start, list and answer as
 * unconfined, under bubblewrap and under Landlock.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { nodeCommand } from '../helpers/fixtures.js';
import { guardCommand, resultText, sdkThrough, type Guarded } from '../helpers/guarded.js';
import { SERVER_EVERYTHING, SERVER_FILESYSTEM } from '../helpers/paths.js';
import { testDir } from '../helpers/processes.js';

function appliedSandbox(guarded: Guarded) {
  const records = guarded.audit().filter((record) => record.event === 'sandbox.applied');
  assert.equal(records.length, 1);
  return [records[0]!.backend, records[0]!.network];
}

for (const backend of ['bwrap', 'landlock']) {
  const entry = { sandbox: { mode: 'required', network: 'deny', backend } };

  void test(`${backend}, network deny: server-everything lists its tools and answers`, async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), {
      name: 'everything',
      entry,
    });
    const { sdk, step, close } = await sdkThrough(t, guarded);
    const { tools } = await step('tools/list', sdk.client.listTools());
    assert.ok(tools.some((tool) => tool.name === 'echo'));
    const echo = await step(
      'echo',
      sdk.client.callTool({ name: 'echo', arguments: { message: 'confined, no sockets' } }),
    );
    assert.match(resultText(echo), /confined, no sockets/);
    const sum = await step(
      'get-sum',
      sdk.client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }),
    );
    assert.match(resultText(sum), /42/);
    await close();
    assert.deepEqual(appliedSandbox(guarded), [backend, 'deny']);
  });

  void test(`${backend}, network deny: server-filesystem reads, writes and lists its root`, async (t) => {
    const dir = await testDir(t);
    const served = dir.join('files');
    await mkdir(served);
    await writeFile(dir.join('files', 'hello.txt'), 'hello from the host');
    const guarded = guardCommand(dir, nodeCommand(SERVER_FILESYSTEM, served), {
      name: 'files',
      entry: { ...entry, paths: { roots: [served] } },
    });
    const { sdk, step, close } = await sdkThrough(t, guarded);
    await step(
      'the roots taken',
      sdk.waitForStderr('Updated allowed directories from MCP roots', 20_000),
    );
    const call = (name: string, args: Record<string, unknown>) =>
      step(name, sdk.client.callTool({ name, arguments: args }));
    assert.equal(
      resultText(await call('read_text_file', { path: dir.join('files', 'hello.txt') })),
      'hello from the host',
    );
    await call('create_directory', { path: dir.join('files', 'sub') });
    await call('write_file', { path: dir.join('files', 'sub', 'new.txt'), content: 'no sockets' });
    assert.match(resultText(await call('list_directory', { path: served })), /\[DIR\] sub/);
    await close();
    assert.equal(await readFile(dir.join('files', 'sub', 'new.txt'), 'utf8'), 'no sockets');
    assert.deepEqual(appliedSandbox(guarded), [backend, 'deny']);
  });
}
