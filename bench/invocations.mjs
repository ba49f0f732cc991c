// JavaScript function calls per `echo` call in one relay, counted exactly (V8's precise coverage
// over a window of sequential calls after a warm-up; bench/invocations-preload.mjs): mcp-guard's
// own code, its dependencies and Node's, and the busiest functions. A count that does not move
// with the machine's load, for the code a call runs (docs/benchmark.md, "Warm-up").
// Usage: node bench/invocations.mjs ROW [CHECKOUT]
//   ROW: mcp-guard | policy; CHECKOUT: another built checkout (default: this one); TOP (25).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rawClient } from './raw-client.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [row = 'mcp-guard', checkoutArg] = process.argv.slice(2);
const checkout = resolve(checkoutArg ?? root);
const top = Number(process.env.TOP ?? 25);
const cli = ['dist/bin/mcp-guard.js', 'dist/cli/main.js']
  .map((file) => join(checkout, file))
  .find((file) => existsSync(file));
if (cli === undefined) throw new Error(`no built mcp-guard in ${checkout}`);
const server = { 'mcp-guard': 'everything', policy: 'everything-policy' }[row];
if (server === undefined) throw new Error(`unknown row ${row}`);
const out = mkdtempSync(join(tmpdir(), 'invocations-'));
const file = join(out, 'coverage.json');
/** @type {import('node:child_process').ChildProcessByStdio<import('node:stream').Writable, import('node:stream').Readable, null>} */
const relay = spawn(
  process.execPath,
  [
    '--import',
    pathToFileURL(join(root, 'bench/invocations-preload.mjs')).href,
    cli,
    'run',
    server,
    '-c',
    join(checkout, 'bench/mcp-guard.yaml'),
  ],
  {
    cwd: join(checkout, 'bench'),
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...process.env, INVOCATIONS_OUT: file },
  },
);
const { start: startSession, echo } = rawClient(relay);
await startSession('invocations');
// Calls until the preload has written the window's counts (it starts 2.5 s in and lasts 2 s).
while (!existsSync(file)) {
  await echo();
}
relay.stdin.end();
setTimeout(() => relay.kill('SIGTERM'), 3000).unref();

/** @typedef {{ url: string, functions: { functionName: string, ranges: { startOffset: number, endOffset: number, count: number }[] }[] }} Script */
/** @type {Script[]} */
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- V8's coverage format
const scripts = JSON.parse(readFileSync(file, 'utf8'));
rmSync(out, { recursive: true, force: true });
/** mcp-guard's code (under CHECKOUT's dist/), its dependencies, or Node's own modules. */
const partOf = (/** @type {string} */ url) =>
  url.startsWith('node:')
    ? 'node'
    : url.includes('/node_modules/') || /\/dist\/bin\/pino-/.test(url)
      ? 'dependencies'
      : url.startsWith(`file://${checkout}/dist/`)
        ? 'mcp-guard'
        : 'other';
// The window's calls: the relay builds one rpc.response record per answered call.
const rows = scripts.flatMap((script) =>
  script.functions.flatMap((fn) => {
    const range = fn.ranges[0];
    return range === undefined || range.count === 0
      ? []
      : [{ name: fn.functionName, part: partOf(script.url), url: script.url, count: range.count }];
  }),
);
const calls = Math.max(
  0,
  ...rows.filter((r) => r.name === 'rpcResponse' || r.name === 'take').map((r) => r.count),
);
if (calls === 0) throw new Error('no call counted in the window');
/** @type {Record<string, number>} */
const parts = {};
for (const r of rows) parts[r.part] = (parts[r.part] ?? 0) + r.count / calls;
const total = Object.values(parts).reduce((a, b) => a + b, 0);
process.stdout.write(
  `${row} (${checkout}): ${calls} calls; function invocations per call: ${Math.round(total)} (${Object.entries(
    parts,
  )
    .map(([part, n]) => `${part} ${Math.round(n)}`)
    .join(', ')})\n`,
);
for (const r of rows.sort((a, b) => b.count - a.count).slice(0, top)) {
  const where = r.url.replace(`file://${checkout}/`, '');
  process.stdout.write(
    `${(r.count / calls).toFixed(1).padStart(6)}  ${r.name || '(anonymous)'}  ${where}\n`,
  );
}
