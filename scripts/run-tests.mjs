// Runs every compiled test file (.build/test/**/*.test.js) serially with node:test's TAP reporter.
// Serially, because integration and end-to-end tests start real processes on a 2-core machine.
// `node scripts/run-tests.mjs unit` (or integration, e2e) narrows the run to one folder.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../.build/test/', import.meta.url).pathname;
const only = process.argv.slice(2);

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...collect(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const files = collect(root).filter(
  (file) => only.length === 0 || only.some((part) => file.includes(`/${part}`)),
);
if (files.length === 0) {
  console.error(`no test files found under ${root}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=tap', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
