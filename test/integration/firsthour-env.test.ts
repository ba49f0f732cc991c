/**
 * A client entry's `env` (an API token, typically) reaches the server through `run --env NAME`,
 * in both modes, launched as Cline launches a server (safe-list environment plus the entry's
 * env, working directory `/`); the rest of mcp-guard's environment stays out, and the audit log
 * names the variable but never holds its value.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callTool, initialize, tempDir, writeManifest } from '../helpers/guard-process.js';
import { runClineShaped, startClineShaped } from '../helpers/cline-shaped.js';
import { FIXTURES } from '../helpers/paths.js';
import type { JsonObject, RawChild } from '../helpers/raw-client.js';

const TOKEN = 'tok-first-hour-5f3a9c';
const ENTRY_ENV = { API_TOKEN: TOKEN, UNRELATED_SETTING: 'kept-out-4711' };
const ENV_REPORT = join(FIXTURES, 'env-report.mjs');

/** The server's view of its environment, through mcp-guard. */
async function serverEnvironment(guard: RawChild): Promise<{ names: string[]; value: unknown }> {
  guard.send(initialize(1));
  const init = await guard.nextLine();
  assert.equal(init.id, 1, guard.stderr());
  guard.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  guard.send(callTool(2, 'env', { name: 'API_TOKEN' }));
  const reply = await guard.nextLine();
  const result = reply.result as { content: { text: string }[] } | undefined;
  assert.ok(result !== undefined, `${JSON.stringify(reply)}\n${guard.stderr()}`);
  return JSON.parse(result.content[0]!.text) as { names: string[]; value: unknown };
}

function guardStart(auditFile: string): JsonObject {
  const text = readFileSync(auditFile, 'utf8');
  assert.ok(!text.includes(TOKEN), 'the token value is not in the audit log');
  const start = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonObject)
    .find((record) => record.event === 'guard.start');
  assert.ok(start !== undefined, text);
  return start;
}

test('ad hoc: --env NAME hands the entry’s variable to the server and nothing else', async (t) => {
  const home = tempDir(t);
  const guard = startClineShaped(
    ['run', '--env', 'API_TOKEN', '--', process.execPath, ENV_REPORT],
    { t, home, env: ENTRY_ENV },
  );
  const seen = await serverEnvironment(guard);
  assert.equal(seen.value, TOKEN, guard.stderr());
  assert.ok(!seen.names.includes('UNRELATED_SETTING'), seen.names.join(' '));
  guard.child.stdin.end();
  assert.equal((await guard.exited).code, 0, guard.stderr());
  const start = guardStart(join(home, '.local/state/mcp-guard/audit.jsonl'));
  assert.deepEqual(start.env, ['API_TOKEN']);
});

test('manifest: --env NAME hands the entry’s variable to the named server', async (t) => {
  const dir = tempDir(t);
  const manifest = writeManifest(dir, { command: process.execPath, args: [ENV_REPORT] });
  const guard = startClineShaped(['run', 'server', '-c', manifest, '--env', 'API_TOKEN'], {
    t,
    home: dir,
    env: ENTRY_ENV,
  });
  const seen = await serverEnvironment(guard);
  assert.equal(seen.value, TOKEN, guard.stderr());
  assert.ok(!seen.names.includes('UNRELATED_SETTING'), seen.names.join(' '));
  guard.child.stdin.end();
  assert.equal((await guard.exited).code, 0, guard.stderr());
  assert.deepEqual(guardStart(join(dir, 'audit.jsonl')).env, ['API_TOKEN']);
});

test('without --env the entry’s variable stays out, as before', async (t) => {
  const home = tempDir(t);
  const guard = startClineShaped(['run', '--', process.execPath, ENV_REPORT], {
    t,
    home,
    env: ENTRY_ENV,
  });
  const seen = await serverEnvironment(guard);
  assert.equal(seen.value, null);
  guard.child.stdin.end();
  await guard.exited;
});

test('--env NAME=VALUE is refused (exit 2) without echoing the value', (t) => {
  const home = tempDir(t);
  const r = runClineShaped(['run', '--env', `API_TOKEN=${TOKEN}`, '--', 'true'], { home });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--env takes a name only \(API_TOKEN\)/);
  assert.ok(!r.stderr.includes(TOKEN), r.stderr);
  assert.equal(r.stdout, '');
});

test('--env NAME that is not set is said on stderr; the server starts without it', async (t) => {
  const home = tempDir(t);
  const guard = startClineShaped(
    ['run', '--env', 'MISSING_TOKEN', '--', process.execPath, ENV_REPORT],
    { t, home },
  );
  const seen = await serverEnvironment(guard);
  assert.ok(!seen.names.includes('MISSING_TOKEN'));
  assert.match(guard.stderr(), /--env MISSING_TOKEN: not set in mcp-guard's environment/);
  assert.doesNotMatch(guard.stderr(), /\berror\b/i);
  guard.child.stdin.end();
  await guard.exited;
});
