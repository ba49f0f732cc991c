/**
 * An npx-launched server under `network: deny` (SPEC 2, `prepare`): `mcp-guard prepare` fills the
 * server's private npm cache from a registry (a local one here, on 127.0.0.1), then the server
 * starts offline from that cache with the registry gone; a server whose cache was never filled
 * fails at once with npm's offline error instead of waiting on the network.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { resultText } from '../helpers/guarded.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { killAll, testDir, waitFor, type TempDir } from '../helpers/processes.js';
import { connectSdk } from '../helpers/sdk-client.js';

const NAME = 'mcp-fixture-echo';

/** The echo fixture packed as an npm package with a bin. */
function packEcho(dir: TempDir): Buffer {
  const pkg = dir.join('pkg');
  mkdirSync(join(pkg, 'lib'), { recursive: true });
  cpSync(join(FIXTURES, 'echo.mjs'), join(pkg, 'echo.mjs'));
  for (const lib of ['mini-server.mjs', 'echo-tools.mjs']) {
    cpSync(join(FIXTURES, 'lib', lib), join(pkg, 'lib', lib));
  }
  const manifest = { name: NAME, version: '1.0.0', type: 'module', bin: { [NAME]: 'echo.mjs' } };
  writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest));
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir.path], {
    cwd: pkg,
    encoding: 'utf8',
  });
  assert.equal(packed.status, 0, packed.stderr);
  return readFileSync(dir.join(`${NAME}-1.0.0.tgz`));
}

/** A registry serving that one package; counts requests. */
async function serveRegistry(tarball: Buffer) {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    if (req.url === `/${NAME}`) {
      const dist = {
        tarball: `${base}/${NAME}/-/${NAME}-1.0.0.tgz`,
        shasum: createHash('sha1').update(tarball).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
      };
      res.setHeader('content-type', 'application/json');
      const version = { name: NAME, version: '1.0.0', bin: { [NAME]: 'echo.mjs' }, dist };
      res.end(
        JSON.stringify({
          name: NAME,
          'dist-tags': { latest: '1.0.0' },
          versions: { '1.0.0': version },
        }),
      );
    } else if (req.url?.endsWith('.tgz') === true) {
      res.end(tarball);
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, hits, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` };
}

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
  prepare.stderr.on('data', (chunk: Buffer) => (prepareErr += chunk.toString()));
  const [code] = (await waitFor(
    once(prepare, 'exit'),
    120_000,
    () => `prepare did not exit; stderr:\n${prepareErr}`,
  )) as [number];
  assert.equal(code, 0, prepareErr);
  assert.match(prepareErr, /'pkg' is ready/);
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
