// How one relay's latency falls as its code warms up: p50 of each WINDOW of sequential `echo`
// calls from the first call on, through a fresh relay (docs/benchmark.md, "Warm-up"). Not part
// of `npm run bench`, whose latency figure is taken from the 201st call to the 2,200th.
// Usage: node bench/warmup.mjs ROW [CHECKOUT]
//   ROW: bare | mcp-guard | policy; CHECKOUT: another built checkout whose mcp-guard (and its
//   bench/mcp-guard.yaml) to run (default: this one); CALLS (6000), WINDOW (500); NODE_FLAGS.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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
/** @type {Map<number, () => void>} */
const waiting = new Map();
let nextId = 1;
createInterface({ input: relay.stdout }).on('line', (line) => {
  /** @type {{ id?: number }} */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- the relay's own JSON-RPC
  const message = JSON.parse(line);
  const done = message.id === undefined ? undefined : waiting.get(message.id);
  if (done === undefined) return;
  waiting.delete(message.id);
  done();
});
/** @type {(method: string, params: object) => Promise<void>} */
const request = (method, params) =>
  new Promise((done) => {
    const id = nextId++;
    waiting.set(id, done);
    relay.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
  });
await request('initialize', {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'warmup', version: '1' },
});
relay.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
await request('tools/list', {});
const medians = [];
for (let done = 0; done < calls; done += window) {
  const times = [];
  for (let i = 0; i < window; i += 1) {
    const start = process.hrtime.bigint();
    await request('tools/call', { name: 'echo', arguments: { message: 'hello' } });
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
