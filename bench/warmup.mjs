// How one relay's latency falls as its code warms up: p50 of each WINDOW of sequential `echo`
// calls from the first call on, through a fresh relay (docs/benchmark.md, "Warm-up"). Not part
// of `npm run bench`, whose latency figure is taken from the 201st call to the 2,200th.
// Usage: node bench/warmup.mjs ROW [CHECKOUT]
//   ROW: bare | mcp-guard | policy; CHECKOUT: another built checkout whose mcp-guard (and its
//   bench/mcp-guard.yaml) to run (default: this one); CALLS (6000), WINDOW (500); NODE_FLAGS.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawClient } from './raw-client.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [row = 'mcp-guard', checkoutArg] = process.argv.slice(2);
const checkout = resolve(checkoutArg ?? root);
const calls = Number(process.env.CALLS ?? 6000);
const window = Number(process.env.WINDOW ?? 500);
const server = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
// Checkouts from before the bundle (dist/bin/) ran dist/cli/main.js.
const cli = ['dist/bin/mcp-guard.js', 'dist/cli/main.js']
  .map((file) => join(checkout, file))
  .find((file) => existsSync(file));
if (cli === undefined && row !== 'bare') throw new Error(`no built mcp-guard in ${checkout}`);
const manifest = join(checkout, 'bench/mcp-guard.yaml');
/** @type {string[] | undefined} */
const relayArgs = {
  bare: [join(root, 'bench/bare-pipe.mjs'), process.execPath, server],
  'mcp-guard': [cli ?? '', 'run', 'everything', '-c', manifest],
  policy: [cli ?? '', 'run', 'everything-policy', '-c', manifest],
}[row];
if (relayArgs === undefined) throw new Error(`unknown row ${row}`);
const nodeFlags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** @type {import('node:child_process').ChildProcessByStdio<import('node:stream').Writable, import('node:stream').Readable, null>} */
const relay = spawn(process.execPath, [...nodeFlags, ...relayArgs], {
  cwd: join(checkout, 'bench'),
  stdio: ['pipe', 'pipe', 'ignore'],
});
const { start: startSession, echo } = rawClient(relay);
await startSession('warmup');
const medians = [];
for (let done = 0; done < calls; done += window) {
  const times = [];
  for (let i = 0; i < window; i += 1) {
    const start = process.hrtime.bigint();
    await echo();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  medians.push(times[Math.ceil(times.length / 2) - 1]?.toFixed(3));
}
process.stdout.write(
  `${row} (${checkout}): p50 of each ${window} calls, in ms: ${medians.join(' ')}\n`,
);
relay.stdin.end();
setTimeout(() => relay.kill('SIGTERM'), 3000).unref();
