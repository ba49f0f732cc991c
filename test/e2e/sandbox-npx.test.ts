/**
 * An npx-launched server under `network: deny` (SPEC 2, `prepare`): `mcp-guard prepare` fills the
 * server's private npm cache from a registry (a local one here, on 127.0.0.1), then the server
 * starts offline from that cache with the registry gone; a server whose cache was never filled
 * fails at once with npm's offline error instead of waiting on the network.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { resultText } from '../helpers/guarded.js';
import { ECHO_PACKAGE, packEcho, serveRegistry } from '../helpers/local-registry.js';
import { CLI } from '../helpers/paths.js';
import { killAll, testDir, waitFor } from '../helpers/processes.js';
import { connectSdk } from '../helpers/sdk-client.js';

const NAME = ECHO_PACKAGE;

void test('prepare fills the private cache; the server then starts offline under network deny', async (t) => {
  const dir = await testDir(t);
  const registry = await serveRegistry(packEcho(dir));
  t.after(() => registry.server.close());
  const server = {
    command: 'npx',
    args: ['-y', NAME],
    env: { npm_config_registry: registry.url },
    sandbox: { mode: 'required', network: 'deny' },
  };
  const manifest = dir.join('mcp-guard.yaml');
  writeFileSync(
    manifest,
    JSON.stringify({
      version: 1,
      audit: { file: 'audit.jsonl' },
      servers: { pkg: server, cold: server },
    }),
  );
  const env = { ...process.env, XDG_STATE_HOME: dir.join('state') };

  const prepare = spawn(process.execPath, [CLI, 'prepare', 'pkg', '-c', manifest], {
    cwd: dir.path,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => killAll([prepare.pid!]));
  let prepareErr = '';
  let prepareOut = '';
  prepare.stderr.on('data', (chunk: Buffer) => (prepareErr += chunk.toString()));
  prepare.stdout.on('data', (chunk: Buffer) => (prepareOut += chunk.toString()));
  const [code] = (await waitFor(
    once(prepare, 'close'),
    120_000,
    () => `prepare did not exit; stderr:\n${prepareErr}`,
  )) as [number];
  assert.equal(code, 0, prepareErr);
  // Each server's outcome is prepare's report (stdout); its progress goes to stderr.
  assert.match(prepareOut, /'pkg' is ready/);
  assert.match(prepareErr, /starting 'pkg' with the network allowed/);
  assert.ok(
    registry.hits.some((url) => url.endsWith('.tgz')),
    registry.hits.join(' '),
  );
  const cache = dir.join('.mcp-guard', 'cache', 'pkg', 'npm');
  assert.ok(existsSync(cache) && readdirSync(cache).includes('_cacache'), 'the private npm cache');
  assert.equal(existsSync(dir.join('.mcp-guard', 'cache', 'cold')), false, 'only pkg was prepared');

  registry.server.close();
  await once(registry.server, 'close');
  const before = registry.hits.length;
  const sdk = await connectSdk({
    command: process.execPath,
    args: [CLI, 'run', 'pkg', '-c', manifest],
    env: { XDG_STATE_HOME: dir.join('state') },
    cwd: dir.path,
    timeoutMs: 20_000,
  });
  t.after(() => killAll([sdk.pid]));
  const echoed = await sdk.client.callTool({ name: 'echo', arguments: { text: 'offline' } });
  assert.equal(resultText(echoed), 'offline');
  await sdk.close();
  assert.equal(registry.hits.length, before);

  // Never prepared: npm, offline, says so at once; the client gets no session.
  const cold = connectSdk({
    command: process.execPath,
    args: [CLI, 'run', 'cold', '-c', manifest],
    env: { XDG_STATE_HOME: dir.join('state') },
    cwd: dir.path,
    timeoutMs: 20_000,
  });
  await assert.rejects(cold, /ENOTCACHED/);
});
