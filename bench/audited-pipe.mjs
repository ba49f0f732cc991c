// The cost floor of a relay that keeps SPEC 7's audit log and does nothing else: spawn the
// server, split both directions into lines, parse each line's JSON, and write one hash-chained
// record per message (time, session, seq, server, event, method, id, durationMs for a response,
// prev, hash) synchronously, before the lines of the same input chunk are passed on unchanged.
// No policy, no checks, no supervision. Usage: node bench/audited-pipe.mjs CMD [ARGS…]
import { spawn } from 'node:child_process';
import { createHash, hash as oneShot, randomBytes } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: node bench/audited-pipe.mjs CMD [ARGS…]\n');
  process.exit(2);
}
const file = join(tmpdir(), `audited-pipe-${process.pid}.jsonl`);
const fd = openSync(file, 'a');
const session = randomBytes(8).toString('hex');
/** @type {(text: string) => string} */
const sha256 =
  typeof oneShot === 'function'
    ? (text) => oneShot('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');
let seq = 0;
let prev = '0'.repeat(64);
let lastMs = -1;
let lastTime = '';
/** @type {Map<unknown, number>} */
const started = new Map();

/**
 * @param {string} event
 * @param {{ method?: unknown; id?: unknown }} message
 */
function record(event, message) {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = new Date(now).toISOString();
  }
  seq += 1;
  let text = `{"level":"info","time":"${lastTime}","session":"${session}","seq":${seq},"server":"everything","event":"${event}"`;
  if (typeof message.method === 'string') text += `,"method":${JSON.stringify(message.method)}`;
  if (message.id !== undefined) text += `,"id":${JSON.stringify(message.id)}`;
  if (event === 'rpc.request') started.set(message.id, performance.now());
  if (event === 'rpc.response') {
    const at = started.get(message.id);
    started.delete(message.id);
    if (at !== undefined)
      text += `,"durationMs":${Math.round((performance.now() - at) * 100) / 100}`;
  }
  text += `,"prev":"${prev}"`;
  prev = sha256(text);
  return `${text},"hash":"${prev}"}\n`;
}

/**
 * One direction: complete lines are parsed and recorded, then passed on in one write.
 * @param {import('node:stream').Readable} input
 * @param {import('node:stream').Writable} output
 * @param {string} kind
 */
function relay(input, output, kind) {
  /** @type {Buffer[]} */
  let partial = [];
  input.on('data', (/** @type {Buffer} */ chunk) => {
    const last = chunk.lastIndexOf(0x0a);
    if (last === -1) {
      partial.push(chunk);
      return;
    }
    const complete = chunk.subarray(0, last + 1);
    const lines = partial.length === 0 ? complete : Buffer.concat([...partial, complete]);
    partial = last === chunk.length - 1 ? [] : [chunk.subarray(last + 1)];
    let records = '';
    let start = 0;
    while (start < lines.length) {
      const end = lines.indexOf(0x0a, start);
      if (end > start) {
        try {
          const parsed = /** @type {unknown} */ (JSON.parse(lines.toString('utf8', start, end)));
          const message =
            typeof parsed === 'object' && parsed !== null
              ? /** @type {{ method?: unknown; id?: unknown }} */ (parsed)
              : {};
          const event =
            message.method === undefined
              ? 'rpc.response'
              : message.id === undefined
                ? 'rpc.notification'
                : kind;
          records += record(event, message);
        } catch {
          records += record('rpc.invalid', {});
        }
      }
      start = end + 1;
    }
    if (records.length > 0) writeSync(fd, records);
    output.write(lines);
  });
}

const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
relay(process.stdin, child.stdin, 'rpc.request');
relay(child.stdout, process.stdout, 'rpc.request');
child.stderr.pipe(process.stderr);
child.stdin.on('error', () => {});
child.on('error', (err) => {
  process.stderr.write(`audited-pipe: ${err.message}\n`);
  process.exit(1);
});
process.on('exit', () => {
  closeSync(fd);
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
});
child.on('close', (code, signal) => process.exit(code ?? (signal === null ? 1 : 0)));
// Some servers (server-everything among them) ignore stdin EOF, so end them after a grace period.
process.stdin.on('end', () => setTimeout(() => child.kill('SIGTERM'), 1000));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill('SIGTERM'));
