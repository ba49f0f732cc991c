/**
 * Failures that name their fix, launched as Cline launches a server (safe-list environment,
 * working directory `/`): an npx server under `network: deny` whose package was never prepared
 * fails at its first start saying `mcp-guard prepare NAME` (no crash loop), and the real
 * filesystem server given a folder that is not a root fails saying `--allow` (ad hoc) or
 * `paths.roots` (manifest).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { initialize, readAudit, tempDir } from '../helpers/guard-process.js';
import { startClineShaped } from '../helpers/cline-shaped.js';
import { SERVER_FILESYSTEM } from '../helpers/paths.js';
import type { JsonObject, RawChild } from '../helpers/raw-client.js';

/** The client's initialize, answered -31052 (the server failed); returns the error's reason. */
async function failedReason(guard: RawChild): Promise<string> {
  guard.send(initialize(1));
  const reply = await guard.nextLine(30_000);
  const error = reply.error as { code: number; data: { reason: string; state: string } };
  assert.ok(error !== undefined, `${JSON.stringify(reply)}\n${guard.stderr()}`);
  assert.equal(error.data.state, 'failed', guard.stderr());
  return error.data.reason;
}

test('npx under network: deny with nothing cached fails at once, naming mcp-guard prepare', async (t) => {
  const dir = tempDir(t);
  const manifest = join(dir, 'mcp-guard.yaml');
  writeFileSync(
    manifest,
    JSON.stringify({
      version: 1,
      audit: { file: 'audit.jsonl' },
      servers: {
        time: {
          command: 'npx',
          args: ['-y', 'mcp-guard-test-package-never-cached'],
          sandbox: { mode: 'required', network: 'deny' },
        },
      },
    }),
  );
  const guard = startClineShaped(['run', 'time', '-c', manifest], { t, home: dir });
  const reason = await failedReason(guard);
  assert.match(reason, /not in the server's private cache.*run `mcp-guard prepare time` once/);
  await guard.waitForStderr(/mcp-guard: server 'time' failed: .*mcp-guard prepare time/);
  guard.child.stdin.end();
  await guard.exited;
  const spawns = readAudit(join(dir, 'audit.jsonl')).filter((r) => r.event === 'child.spawn');
  assert.equal(spawns.length, 1, 'one start, no crash loop');
});

test('ad hoc: a filesystem server whose folder is not a root names --allow', async (t) => {
  const home = tempDir(t);
  const folder = join(home, 'project');
  mkdirSync(folder);
  const guard = startClineShaped(['run', '--', process.execPath, SERVER_FILESYSTEM, folder], {
    t,
    home,
  });
  const reason = await failedReason(guard);
  assert.ok(reason.includes(`add --allow ${folder}`), reason);
  guard.child.stdin.end();
  await guard.exited;
});

test('manifest: a filesystem server whose folder is not a root names paths.roots', async (t) => {
  const dir = tempDir(t);
  const project = join(dir, 'project');
  const outside = join(dir, 'elsewhere');
  mkdirSync(project);
  mkdirSync(outside);
  const manifest = join(project, 'mcp-guard.yaml');
  const server: JsonObject = { command: process.execPath, args: [SERVER_FILESYSTEM, outside] };
  writeFileSync(
    manifest,
    JSON.stringify({ version: 1, audit: { file: 'audit.jsonl' }, servers: { files: server } }),
  );
  const guard = startClineShaped(['run', 'files', '-c', manifest], { t, home: dir });
  const reason = await failedReason(guard);
  assert.ok(reason.includes(`'${outside}'`), reason);
  assert.match(reason, /add it to servers\.files\.paths\.roots/);
  guard.child.stdin.end();
  await guard.exited;
});
