/**
 * Tool policy in front of the real `server-filesystem` (SPEC 6.3): a denied tool is not listed,
 * a call to it (or to a tool the server never listed) is refused with `Blocked by mcp-guard:`
 * and never reaches the server, and the files it names are untouched. And `mcp-guard pin` in
 * front of the real server-everything, which offers some tools only to some clients.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { nodeCommand } from '../helpers/fixtures.js';
import { guardCommand, resultText, sdkThrough } from '../helpers/guarded.js';
import { CLI, SERVER_EVERYTHING, SERVER_FILESYSTEM } from '../helpers/paths.js';
import { testDir } from '../helpers/processes.js';

void test(
  'server-filesystem: a denied move_file is hidden from tools/list and refused, and the file stays where it is',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const source = dir.join('notes.txt');
    const destination = dir.join('moved.txt');
    writeFileSync(source, 'keep me\n');
    const guarded = guardCommand(dir, nodeCommand(SERVER_FILESYSTEM, dir.path), {
      name: 'files',
      entry: { tools: { deny: ['move_file'] } },
    });
    const { sdk, step, close } = await sdkThrough(t, guarded);
    const { tools } = await step('tools/list', sdk.client.listTools());
    const names = tools.map((tool) => tool.name);
    assert.ok(!names.includes('move_file'), names.join(', '));
    assert.ok(names.includes('read_text_file') && names.includes('write_file'), names.join(', '));

    const refused = await step(
      'move_file',
      sdk.client.callTool({ name: 'move_file', arguments: { source, destination } }),
    );
    assert.equal(refused.isError, true);
    assert.equal(
      resultText(refused),
      'Blocked by mcp-guard: tools.deny: tool "move_file" is denied by tools.deny',
    );
    assert.equal(readFileSync(source, 'utf8'), 'keep me\n');
    assert.equal(existsSync(destination), false);

    // A tool the server never listed is refused by mcp-guard, not left to the server.
    const unknown = await step(
      'no-such-tool',
      sdk.client.callTool({ name: 'no-such-tool', arguments: { path: source } }),
    );
    assert.equal(
      resultText(unknown),
      'Blocked by mcp-guard: tools.unknown: the server did not list a tool named "no-such-tool" in tools/list',
    );

    // Allowed tools still work, on the same file.
    const read = await step(
      'read_text_file',
      sdk.client.callTool({ name: 'read_text_file', arguments: { path: source } }),
    );
    assert.equal(resultText(read), 'keep me\n');
    await close();
    const denials = guarded.audit().filter((record) => record.event === 'policy.deny');
    assert.deepEqual(
      denials.map((record) => [record.rule, record.method, record.tool ?? null]),
      [
        ['tools.deny', 'tools/list', null],
        ['tools.deny', 'tools/call', 'move_file'],
        ['tools.unknown', 'tools/call', 'no-such-tool'],
      ],
    );
    assert.equal(
      guarded.audit().filter((r) => r.event === 'rpc.request' && r.tool === 'move_file').length,
      0,
      'the call never went to the server',
    );
  },
);

void test(
  'pin records every tool server-everything may offer: it declares what the policy lets a client declare',
  { timeout: 60_000 },
  async (t) => {
    const dir = await testDir(t);
    const pinned = (entry: Record<string, unknown>): string[] => {
      const guarded = guardCommand(dir, nodeCommand(SERVER_EVERYTHING), {
        name: 'everything',
        entry,
      });
      const run = spawnSync(process.execPath, [CLI, 'pin', '-c', guarded.manifest], {
        cwd: dir.path,
        encoding: 'utf8',
        env: { ...process.env, ...guarded.env },
        timeout: 30_000,
      });
      assert.equal(run.status, 0, run.stderr);
      const lock = JSON.parse(readFileSync(dir.join('mcp-guard.lock'), 'utf8')) as {
        servers: Record<string, { tools: Record<string, unknown> }>;
      };
      return Object.keys(lock.servers.everything!.tools);
    };
    const all = pinned({});
    for (const name of [
      'get-roots-list',
      'trigger-sampling-request',
      'trigger-elicitation-request',
    ]) {
      assert.ok(all.includes(name), `${name} in ${all.join(', ')}`);
    }
    const denied = pinned({ sampling: 'deny' });
    assert.ok(!denied.includes('trigger-sampling-request'), denied.join(', '));
    assert.ok(denied.includes('trigger-elicitation-request'), denied.join(', '));
  },
);
