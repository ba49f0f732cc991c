/**
 * An npm registry on 127.0.0.1 serving one package: the echo fixture packed with a bin, so a
 * server launched as `npx -y mcp-fixture-echo` downloads from it (no network at test time). It
 * records every request, so a test can tell whether a start downloaded anything.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { FIXTURES } from './paths.js';
import type { TempDir } from './temp-dir.js';

/** The package's name (and its bin's). */
export const ECHO_PACKAGE = 'mcp-fixture-echo';

export interface LocalRegistry {
  server: Server;
  /** Every URL asked for, in order. */
  hits: string[];
  /** The registry's URL, for `npm_config_registry`. */
  url: string;
  /** How many tarballs were downloaded so far. */
  tarballs(): number;
}

/** The echo fixture packed as an npm package with a bin. */
export function packEcho(dir: TempDir): Buffer {
  const pkg = dir.join('pkg');
  mkdirSync(join(pkg, 'lib'), { recursive: true });
  cpSync(join(FIXTURES, 'echo.mjs'), join(pkg, 'echo.mjs'));
  for (const lib of ['mini-server.mjs', 'echo-tools.mjs']) {
    cpSync(join(FIXTURES, 'lib', lib), join(pkg, 'lib', lib));
  }
  const bin = { [ECHO_PACKAGE]: 'echo.mjs' };
  const manifest = { name: ECHO_PACKAGE, version: '1.0.0', type: 'module', bin };
  writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest));
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir.path], {
    cwd: pkg,
    encoding: 'utf8',
  });
  assert.equal(packed.status, 0, packed.stderr);
  return readFileSync(dir.join(`${ECHO_PACKAGE}-1.0.0.tgz`));
}

/** A registry serving that one package; counts requests. */
export async function serveRegistry(tarball: Buffer): Promise<LocalRegistry> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    if (req.url === `/${ECHO_PACKAGE}`) {
      const dist = {
        tarball: `${base}/${ECHO_PACKAGE}/-/${ECHO_PACKAGE}-1.0.0.tgz`,
        shasum: createHash('sha1').update(tarball).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
      };
      res.setHeader('content-type', 'application/json');
      const bin = { [ECHO_PACKAGE]: 'echo.mjs' };
      const version = { name: ECHO_PACKAGE, version: '1.0.0', bin, dist };
      res.end(
        JSON.stringify({
          name: ECHO_PACKAGE,
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
  return {
    server,
    hits,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    tarballs: () => hits.filter((url) => url.endsWith('.tgz')).length,
  };
}
