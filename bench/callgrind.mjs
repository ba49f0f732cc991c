// Instructions per call of one relay, counted by valgrind's callgrind: figures that do not move
// with the machine's load, unlike `npm run bench`'s wall clock (docs/benchmark.md). The relay runs
// under valgrind (its children, the server among them, do not); a raw JSON-RPC client makes
// WARMUP uncounted `echo "hello"` calls, zeroes the counters, makes CALLS more and dumps them.
// Usage: node bench/callgrind.mjs ROW [CLI]
//   ROW: bare | mcp-guard | policy; CLI: the mcp-guard build (default dist/bin/mcp-guard.js)
//   CALLS (1000), WARMUP (300); NODE_FLAGS: flags for the relay's node (V8 flags, say);
//   STRACE=1: prints `strace -c` of the relay's main thread for the whole session instead (take
//   a run with CALLS=0 from it for the calls' share); PLAIN=1: runs the relay under neither (for
//   NODE_FLAGS='--cpu-prof --cpu-prof-dir=DIR', say); KEEP=1: keeps callgrind's dump; MAIN=1:
//   counts the main thread alone (JavaScript and the system calls' user side; not V8's background
//   compiler and garbage collector threads, whose share of a window varies from run to run)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawClient } from './raw-client.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [row = 'mcp-guard', cliArg] = process.argv.slice(2);
const cli = resolve(cliArg ?? join(root, 'dist/bin/mcp-guard.js'));
const calls = Number(process.env.CALLS ?? 1000);
const warmup = Number(process.env.WARMUP ?? 300);
const useStrace = process.env.STRACE === '1';
const plain = process.env.PLAIN === '1';
const mainOnly = process.env.MAIN === '1';
const server = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const manifest = join(root, 'bench/mcp-guard.yaml');
const relayArgs = {
  bare: [join(root, 'bench/bare-pipe.mjs'), process.execPath, server],
  'mcp-guard': [cli, 'run', 'everything', '-c', manifest],
  policy: [cli, 'run', 'everything-policy', '-c', manifest],
}[row];
if (relayArgs === undefined) throw new Error(`unknown row ${row}`);
const nodeFlags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);

const out = mkdtempSync(join(tmpdir(), 'callgrind-'));
const [command, args] = plain
  ? [process.execPath, [...nodeFlags, ...relayArgs]]
  : useStrace
    ? [
        'strace',
        ['-c', '-o', join(out, 'strace.txt'), process.execPath, ...nodeFlags, ...relayArgs],
      ]
    : [
        'valgrind',
        [
          '--tool=callgrind',
          `--callgrind-out-file=${join(out, 'callgrind.out')}`,
          '--dump-instr=no',
          ...(mainOnly ? ['--separate-threads=yes'] : []),
          process.execPath,
          ...nodeFlags,
          ...relayArgs,
        ],
      ];
/** @type {import('node:child_process').ChildProcessWithoutNullStreams} */
const relay = spawn(command, args, { cwd: join(root, 'bench'), stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
relay.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
const { request, start: startSession, echo } = rawClient(relay);
/**
 * Runs `callgrind_control` with `options` while pinging, so the relay wakes up to read it.
 * @param {string[]} options
 */
const control = async (options) => {
  if (useStrace || plain) return;
  const child = spawn('callgrind_control', [...options, String(relay.pid)], { stdio: 'ignore' });
  let exited = false;
  const exit = new Promise((done) => child.on('exit', () => done((exited = true))));
  while (!exited) {
    await request('ping', {});
    await new Promise((done) => setTimeout(done, 20));
  }
  await exit;
};

const started = Date.now();
await startSession('callgrind');
for (let i = 0; i < warmup; i += 1) await echo();
if (useStrace || plain) {
  for (let i = 0; i < calls; i += 1) await echo();
} else {
  await control(['-z']);
  for (let i = 0; i < calls; i += 1) await echo();
  await control(['-d']);
}
relay.stdin.end();
setTimeout(() => relay.kill('SIGTERM'), 3000).unref();
await new Promise((done) => relay.on('exit', done));
if (plain) {
  process.stdout.write(`${row}: ${calls} calls after ${warmup} in ${Date.now() - started} ms\n`);
} else if (useStrace) {
  process.stdout.write(readFileSync(join(out, 'strace.txt'), 'utf8'));
} else {
  // The first dump (`callgrind.out.1`, or the main thread's `callgrind.out.1-01` with MAIN=1).
  const dump = mainOnly ? /^callgrind\.out\.(\d+)-01$/ : /^callgrind\.out\.(\d+)$/;
  const dumps = readdirSync(out).filter((name) => dump.test(name));
  /** @type {(name: string) => number} */
  const order = (name) => Number(dump.exec(name)?.[1]);
  const first = dumps.sort((a, b) => order(a) - order(b))[0];
  if (first === undefined) throw new Error(`no dump in ${out}: ${stderr}`);
  const text = readFileSync(join(out, first), 'utf8');
  const total = Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]);
  const perCall = Math.round(total / calls);
  process.stdout.write(
    `${row}: ${perCall.toLocaleString('en')} instructions per call${mainOnly ? ' (main thread)' : ''} (${calls} calls after ${warmup}; ${Math.round((Date.now() - started) / 1000)} s)\n`,
  );
}
if (process.env.KEEP === '1') process.stdout.write(`kept: ${out}\n`);
else rmSync(out, { recursive: true, force: true });
