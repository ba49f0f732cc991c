import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineFramer, OVERSIZE_HEAD_BYTES, type Frame } from '../../../src/protocol/framing.js';

function frames(max: number, chunks: (string | Buffer)[], end = false): Frame[] {
  const out: Frame[] = [];
  const framer = new LineFramer(max, (f) => out.push(f));
  for (const chunk of chunks) framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  if (end) framer.end();
  return out;
}

const lines = (fs: Frame[]): string[] =>
  fs.map((f) => (f.kind === 'line' ? f.bytes.toString('utf8') : `<oversize ${f.size}>`));

test('splits lines inside and across chunks, in order', () => {
  const cases: { name: string; chunks: string[]; want: string[] }[] = [
    { name: 'two lines in one chunk', chunks: ['a\nb\n'], want: ['a', 'b'] },
    { name: 'line split across chunks', chunks: ['{"a"', ':1}', '\n'], want: ['{"a":1}'] },
    { name: 'newline alone in a chunk', chunks: ['x', '\n', 'y', '\n'], want: ['x', 'y'] },
    { name: 'CRLF tolerated', chunks: ['a\r\nb\r', '\n'], want: ['a', 'b'] },
    { name: 'blank lines ignored', chunks: ['\n\r\na\n\n'], want: ['a'] },
    { name: 'incomplete tail waits', chunks: ['a\nb'], want: ['a'] },
  ];
  for (const c of cases) assert.deepEqual(lines(frames(100, c.chunks)), c.want, c.name);
});

test('a final line without newline counts at end of input', () => {
  assert.deepEqual(lines(frames(100, ['a\nlast'], true)), ['a', 'last']);
});

test('UTF-8 split inside a character is reassembled', () => {
  const text = 'héllo → 世界 😀';
  const bytes = Buffer.from(`${text}\n`);
  for (let cut = 1; cut < bytes.length - 1; cut += 1) {
    const got = frames(100, [bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(lines(got), [text], `cut at byte ${cut}`);
  }
});

test('the byte cap: a line of exactly max passes, one byte more is oversize', () => {
  const max = 16;
  const at = 'x'.repeat(max);
  const over = 'x'.repeat(max + 1);
  assert.deepEqual(lines(frames(max, [`${at}\n`])), [at]);
  assert.deepEqual(lines(frames(max, [`${at}\r\n`])), [at], 'CR does not count against the cap');
  assert.deepEqual(lines(frames(max, [`${over}\n`])), ['<oversize 17>']);
  assert.deepEqual(lines(frames(max, [`${over}\r\n`])), ['<oversize 18>']);
});

test('an oversize line streaming in many chunks is discarded and the next line survives', () => {
  const max = 10;
  const chunks = [
    '{"id":7,',
    '"x":"',
    ...Array.from({ length: 50 }, () => 'yyyy'),
    '"}\n{"ok":1}\n',
  ];
  const got = frames(max, chunks);
  assert.equal(got.length, 2);
  const first = got[0]!;
  assert.equal(first.kind, 'oversize');
  if (first.kind === 'oversize') {
    assert.equal(first.size, chunks.join('').indexOf('\n'));
    assert.ok(first.head.toString().startsWith('{"id":7,'));
    assert.ok(first.head.length <= OVERSIZE_HEAD_BYTES);
  }
  assert.deepEqual(lines(got.slice(1)), ['{"ok":1}']);
});

test('scanning is linear: an 8 MiB line in 64 KiB chunks is assembled once', () => {
  const size = 8 * 1024 * 1024;
  const payload = Buffer.alloc(size, 0x61);
  const chunks: Buffer[] = [];
  for (let i = 0; i < size; i += 65536) chunks.push(payload.subarray(i, i + 65536));
  chunks.push(Buffer.from('\n'));
  const got = frames(size, chunks);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.kind, 'line');
  if (got[0]!.kind === 'line') assert.equal(got[0]!.bytes.length, size);
});

test('an oversize line keeps its first and last 4 KiB, whichever way it arrives', () => {
  const body = `{"jsonrpc":"2.0","params":{"x":"${'q'.repeat(20_000)}"},"id":42}`;
  const whole = frames(100, [`${body}\n`]);
  const streamed = frames(100, [...body.match(/.{1,1000}/gs)!, '\r\n']);
  for (const got of [whole, streamed]) {
    const frame = got[0]!;
    assert.equal(frame.kind, 'oversize');
    if (frame.kind !== 'oversize') continue;
    assert.equal(frame.head.toString(), body.slice(0, OVERSIZE_HEAD_BYTES));
    assert.equal(frame.tail.toString(), body.slice(-OVERSIZE_HEAD_BYTES));
  }
});
