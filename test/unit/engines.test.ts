/**
 * `npm install` of mcp-guard prints no engine warnings (EBADENGINE): every package of its
 * lockfile accepts the Node that runs the tests (CI runs them on Node 20, 22 and 24). Cline's
 * test client, whose every release asks for Node >= 22, is a package of its own (test/cline),
 * installed by the test runner and never by `npm install` of the project.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths.js';

const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
};

interface LockedPackage {
  version?: string;
  engines?: { node?: string };
}

void test('every package npm install puts in place accepts this Node', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockedPackage>;
  };
  const refusing = Object.entries(lock.packages)
    .filter(([path, pkg]) => {
      const range = pkg.engines?.node;
      return path !== '' && range !== undefined && !semver.satisfies(process.version, range);
    })
    .map(([path, pkg]) => `${path}@${pkg.version ?? '?'} wants node ${pkg.engines?.node}`);
  assert.deepEqual(refusing, [], `npm would warn EBADENGINE on ${process.version}`);
});

void test("Cline's test client is not a dependency of the project", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies?: object;
    devDependencies?: object;
  };
  const all = { ...manifest.dependencies, ...manifest.devDependencies };
  assert.equal('@cline/core' in all, false);
});
