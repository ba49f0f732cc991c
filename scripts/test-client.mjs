// Installs test/cline, the small package that holds Cline's own MCP client (@cline/core) for the
// end-to-end and contract tests, apart from the project's dependencies: every @cline/core release
// asks for Node >= 22 and npm warns once per package of its tree (about 170 lines) on Node 20,
// where its stdio client, the only part the tests use, works (test/contract proves it).
//
// `npm ci` runs there only when its lockfile changed since the last install (a stamp in its
// node_modules), so a run needs the registry once; afterwards it works offline. The engine
// warnings are counted on one line; any other output of npm is shown as it is.
// `node scripts/test-client.mjs` runs it by hand; scripts/run-tests.mjs runs it before tests
// that use Cline's client.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = new URL('../test/cline/', import.meta.url).pathname;
const stampFile = join(dir, 'node_modules', '.mcp-guard-lock-sha256');

const lockHash = () =>
  createHash('sha256')
    .update(readFileSync(join(dir, 'package-lock.json')))
    .digest('hex');

const readStamp = () => {
  try {
    return readFileSync(stampFile, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Installs test/cline unless its lockfile is what was installed; returns false on failure. */
export function ensureTestClient() {
  const hash = lockHash();
  if (readStamp() === hash) return true;
  console.error("# installing test/cline (Cline's client for the tests): npm ci");
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  const lines = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n');
  const engine = lines.filter((line) => line.includes('EBADENGINE'));
  const rest = lines.filter((line) => line.trim() !== '' && !line.includes('EBADENGINE'));
  if (rest.length > 0) console.error(rest.join('\n'));
  if (engine.length > 0) {
    const packages = engine.filter((line) => line.includes("package: '")).length;
    console.error(
      `# test/cline: ${packages} packages of @cline/core's tree ask for another Node ` +
        `(${process.version} here); the tests use only its stdio client, which works on Node >= 20`,
    );
  }
  if (result.status !== 0) {
    console.error(
      '# test/cline could not be installed (npm ci needs the npm registry the first time); ' +
        'the end-to-end and contract tests need it',
    );
    return false;
  }
  writeFileSync(stampFile, `${hash}\n`);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exit(ensureTestClient() ? 0 : 1);
}
