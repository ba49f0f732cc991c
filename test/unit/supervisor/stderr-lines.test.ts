import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import {
  boundedEcho,
  ECHO_BACKLOG_BYTES,
  pipeStderr,
  readStderrLines,
  watchStderr,
} from '../../../src/supervisor/stderr-lines.js';
import { collectAudit, settle } from './fakes.js';

test('lines split across chunks come whole; the last one without a newline comes at the end', async () => {
  const stderr = new PassThrough();
  const lines: string[] = [];
  readStderrLines(stderr, (text) => lines.push(text));
  stderr.write('one\ntw');
  stderr.write('o\r\nthr');
  await settle();
  assert.deepEqual(lines, ['one', 'two']);
  stderr.end('ee');
  await settle();
  assert.deepEqual(lines, ['one', 'two', 'three']);
});

test('a line over 64 KiB is cut, with its size noted', async () => {
  const stderr = new PassThrough();
  const lines: string[] = [];
  readStderrLines(stderr, (text) => lines.push(text));
  stderr.end(`${'x'.repeat(70_000)}\nafter\n`);
  await settle();
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^x+… \(70000 bytes\)$/);
  assert.ok(lines[0]!.length < 70_000);
  assert.equal(lines[1], 'after');
});

test('a stream error is no crash', async () => {
  const stderr = new PassThrough();
  readStderrLines(stderr, () => undefined);
  stderr.destroy(new Error('EPIPE'));
  await settle();
});

test('pipeStderr audits each line (at most 4096 characters) and echoes it whole, prefixed', async () => {
  const stderr = new PassThrough();
  const audit = collectAudit();
  const echo = new PassThrough();
  let echoed = '';
  echo.on('data', (chunk: Buffer) => (echoed += chunk.toString('utf8')));
  pipeStderr(stderr, { audit, server: 'srv', echo, prefix: '[srv] ' });
  stderr.end(`starting\n${'y'.repeat(5000)}\n`);
  await settle();
  assert.deepEqual(audit.events(), ['child.stderr', 'child.stderr']);
  assert.deepEqual(audit.records[0]!.fields, { text: 'starting' });
  assert.equal((audit.records[1]!.fields.text as string).length, 4096);
  assert.equal(echoed, `[srv] starting\n[srv] ${'y'.repeat(5000)}\n`);
});

test('pipeStderr with no echo only audits', async () => {
  const stderr = new PassThrough();
  const audit = collectAudit();
  pipeStderr(stderr, { audit, server: 'srv', echo: null, prefix: '' });
  stderr.end('quiet\n');
  await settle();
  assert.deepEqual(audit.records[0]!.fields, { text: 'quiet' });
});

/** A stream whose reader reads only when told: writes wait in its buffer until then. */
function unreadStream() {
  const waiting: (() => void)[] = [];
  const written: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString('utf8'));
      waiting.push(callback);
    },
  });
  const readAll = async () => {
    while (waiting.length > 0) {
      waiting.shift()!();
      await settle();
    }
  };
  return { out, written, readAll };
}

test('the echo stops at a backlog of ECHO_BACKLOG_BYTES unread, says how many lines it dropped once read again', async () => {
  const { out, written, readAll } = unreadStream();
  const echo = boundedEcho(out, '[srv] ');
  // A backlog one byte under the bound still takes a line; at the bound, lines are dropped.
  echo('a'.repeat(ECHO_BACKLOG_BYTES - 1 - '[srv] \n'.length));
  assert.equal(out.writableLength, ECHO_BACKLOG_BYTES - 1);
  echo('under');
  assert.equal(out.writableLength, ECHO_BACKLOG_BYTES - 1 + '[srv] under\n'.length);
  echo('over 1');
  echo('over 2');
  assert.equal(written.length, 1, 'the first write is with the reader, the second waits');
  await readAll();
  await readAll();
  assert.deepEqual(written.slice(1), [
    '[srv] under\n',
    "[srv] mcp-guard: 2 lines of the server's stderr not echoed (nothing was reading mcp-guard's stderr); the audit log has them\n",
  ]);
  echo('after');
  await readAll();
  assert.equal(written.at(-1), '[srv] after\n');
});

test('pipeStderr audits every line, echoed or dropped', async () => {
  const { out, readAll } = unreadStream();
  const audit = collectAudit();
  const stderr = new PassThrough();
  pipeStderr(stderr, { audit, server: 'srv', echo: out, prefix: '' });
  const line = 'x'.repeat(60_000);
  stderr.end(`${`${line}\n`.repeat(40)}last\n`);
  await settle();
  assert.equal(audit.events().filter((e) => e === 'child.stderr').length, 41);
  assert.ok(out.writableLength < ECHO_BACKLOG_BYTES + 60_001, String(out.writableLength));
  await readAll();
});

test('watchStderr pipes the lines and tells when the last bytes came', async () => {
  const stderr = new PassThrough();
  const audit = collectAudit();
  let now = 5;
  const lastAt = watchStderr(stderr, { audit, server: 'srv', echo: null, prefix: '' }, () => now);
  assert.equal(lastAt(), 0, 'none yet');
  stderr.write('par');
  await settle();
  assert.equal(lastAt(), 5, 'any bytes count, a whole line or not');
  now = 9;
  stderr.write('tial\n');
  await settle();
  assert.equal(lastAt(), 9);
  assert.deepEqual(audit.events(), ['child.stderr']);
});
