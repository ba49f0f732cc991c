import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pipeStderr, readStderrLines } from '../../../src/supervisor/stderr-lines.js';
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
