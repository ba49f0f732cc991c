// Runs every compiled test file (.build/test/**/*.test.js) serially with node:test's TAP reporter.
// Serially, because integration and end-to-end tests start real processes on a 2-core machine.
// `node scripts/run-tests.mjs unit` (or integration, e2e, contract, or any path fragment such as
// integration/supervision) narrows the run to the files whose path contains it.
//
// Folders: unit (pure modules), integration (real child processes), e2e (the built CLI between
// real clients and servers), contract (those clients and servers without mcp-guard: see
// test/contract/README.md).
//
// Cline's client for the tests is a package of its own, test/cline: when a selected file uses it,
// scripts/test-client.mjs installs it first (once; that needs the npm registry).
//
// The tests get a temp dir of their own (TMPDIR) and must leave it empty and leave no process of
// this checkout running: anything left over fails the run, named, and is then removed.
//
// The TAP stream passes through unchanged; the failures in it are printed once more at its end,
// so the tail of a long run's log names them.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureTestClient } from './test-client.mjs';

const checkout = new URL('..', import.meta.url).pathname;
const root = join(checkout, '.build/test/');
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

/**
 * Live processes (not zombies, not this one) whose command line or environment holds one of
 * `markers` (Linux; elsewhere none are found).
 */
function processesMarked(markers) {
  if (process.platform !== 'linux') return [];
  const found = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let environment = '';
      try {
        environment = readFileSync(`/proc/${pid}/environ`, 'utf8');
      } catch {
        // Not ours to read (another user's process, or a sandboxed one): its command line will do.
      }
      if (markers.some((marker) => command.includes(marker) || environment.includes(marker)))
        found.push({ pid, command });
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/**
 * A line-by-line reader of node:test's TAP output that pushes each failing test's lines (its
 * `not ok` line and its YAML block, at most 80 lines) onto `failures`. A failing test inside a
 * failing one gives two entries: the inner one names the cause.
 */
function failureCollector(failures) {
  let block = null;
  let indent = '';
  return (line) => {
    if (block !== null) {
      if (block.length < 80) block.push(line);
      if (line === `${indent}  ...`) block = null;
      return;
    }
    const failed = /^(\s*)not ok \d+ - /.exec(line);
    if (failed === null) return;
    indent = failed[1];
    block = [line];
    failures.push(block);
  };
}

/**
 * Processes left by the tests: those whose command line or environment names the tests' temp dir
 * (a manifest, a pid file, TMPDIR itself) or that run a test fixture of this checkout.
 */
const leftProcesses = (testTmp) =>
  processesMarked([testTmp, join(checkout, 'test/fixtures/'), join(checkout, '.build/test/')]);

/** The leftovers a finished run must not have; a process killed a moment ago is given 5 s. */
async function leftovers(testTmp) {
  let processes = leftProcesses(testTmp);
  for (let waited = 0; processes.length > 0 && waited < 5000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    processes = leftProcesses(testTmp);
  }
  // Node 22+ keeps its module compile cache in TMPDIR when a tool (npm, say) turns it on: not a
  // test's leftover.
  const entries = readdirSync(testTmp).filter((entry) => entry !== 'node-compile-cache');
  return { processes, entries };
}

// tsc never removes what it compiled from a test file since moved or deleted: such a file is not
// run (and is removed), or a long-used checkout would run old copies of moved tests.
const compiled = collect(root).filter((file) => {
  const source = join(checkout, 'test', relative(root, file)).replace(/\.js$/, '.ts');
  if (existsSync(source)) return true;
  rmSync(file, { force: true });
  rmSync(`${file}.map`, { force: true });
  return false;
});
const files = compiled.filter(
  (file) => only.length === 0 || only.some((part) => file.includes(`/${part}`)),
);
if (files.length === 0) {
  console.error(`no test files found under ${root}`);
  process.exit(1);
}
const usesCline = (file) => readFileSync(file, 'utf8').includes('/cline-client.js');
if (files.some(usesCline) && !ensureTestClient()) process.exit(1);
const testTmp = mkdtempSync(join(tmpdir(), 'mcp-guard-run-'));
const failures = [];
let status = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    ['--test', '--test-reporter=tap', '--test-concurrency=1', ...files],
    { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: testTmp } },
  );
  const collector = failureCollector(failures);
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => {
    process.stdout.write(text);
    const lines = (rest + text).split('\n');
    rest = lines.pop();
    for (const line of lines) collector(line);
  });
  child.on('error', (error) => {
    console.error(`# the test runner did not start: ${error.message}`);
    resolve(1);
  });
  child.on('close', (code) => {
    if (rest !== '') collector(rest);
    resolve(code ?? 1);
  });
});
if (failures.length > 0) {
  console.log(`# ${failures.length} failed (each as TAP printed it above):`);
  for (const block of failures) console.log(block.map((line) => `# ${line}`).join('\n'));
}
const { processes, entries } = await leftovers(testTmp);
if (processes.length > 0) {
  console.error(`# the tests left ${processes.length} process(es) running (now killed):`);
  for (const { pid, command } of processes) {
    console.error(`#   ${pid} ${command.slice(0, 200)}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  status = 1;
}
if (entries.length > 0) {
  console.error(`# the tests left ${entries.length} entries in their temp dir ${testTmp}:`);
  for (const entry of entries.sort()) console.error(`#   ${entry}`);
  status = 1;
}
rmSync(testTmp, { recursive: true, force: true });
process.exit(status);
