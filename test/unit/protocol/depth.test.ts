import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exceedsDepth, MAX_DEPTH } from '../../../src/protocol/depth.js';
import { parseLine } from '../../../src/protocol/jsonrpc.js';

/** `levels` arrays inside each other, as JSON text. */
const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const line = (text: string): Buffer => Buffer.from(text, 'utf8');

void test('depth: scalars are level 0, the outermost container level 1', () => {
  const rows: [unknown, number, boolean][] = [
    ['text', 0, false],
    [null, 0, false],
    [{}, 0, true],
    [{}, 1, false],
    [[[]], 1, true],
    [[[]], 2, false],
    [{ a: [{ b: 1 }] }, 3, false],
    [{ a: [{ b: {} }] }, 3, true],
    [[1, [2, [3]], { x: 'y' }], 3, false],
  ];
  for (const [value, limit, deeper] of rows) {
    assert.equal(exceedsDepth(value, limit), deeper, `${JSON.stringify(value)} within ${limit}`);
  }
});

void test('depth: 100,000 levels are measured without recursion; a wide value is walked once', () => {
  assert.equal(exceedsDepth(JSON.parse(nested(100_000))), true);
  const wide = Array.from({ length: 200_000 }, (_, i) => ({ i, tags: ['a', 'b'] }));
  assert.equal(exceedsDepth(wide), false);
});

void test(`a message nested ${MAX_DEPTH} levels is a message; one level more is refused where it is parsed`, () => {
  // The message object is level 1, so its result may add MAX_DEPTH - 1 levels.
  const result = (levels: number) => `{"jsonrpc":"2.0","id":7,"result":${nested(levels)}}`;
  const atLimit = parseLine(line(result(MAX_DEPTH - 1)));
  assert.equal(atLimit.ok, true);
  assert.deepEqual(parseLine(line(result(MAX_DEPTH))), {
    ok: false,
    code: -32600,
    id: 7,
    reason: `nested deeper than ${MAX_DEPTH} levels of arrays and objects`,
    response: true,
  });
});

void test('the attack as found (~8,000 nested arrays, 16 KB) in a result, a notification and the client’s initialize', () => {
  const deep = nested(8000);
  const reason = `nested deeper than ${MAX_DEPTH} levels of arrays and objects`;
  assert.deepEqual(parseLine(line(`{"jsonrpc":"2.0","id":"r","result":{"content":${deep}}}`)), {
    ok: false,
    code: -32600,
    id: 'r',
    reason,
    response: true,
  });
  // A notification is owed no answer; a request is.
  assert.deepEqual(
    parseLine(line(`{"jsonrpc":"2.0","method":"notifications/message","params":{"data":${deep}}}`)),
    { ok: false, code: -32600, id: null, reason, response: true },
  );
  assert.deepEqual(
    parseLine(
      line(
        `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"x":${deep}},"clientInfo":{"name":"c","version":"1"}}}`,
      ),
    ),
    { ok: false, code: -32600, id: 1, reason, response: false },
  );
  // Objects nest as deeply as arrays do.
  const objects = '{"a":'.repeat(8000) + '1' + '}'.repeat(8000);
  assert.equal(parseLine(line(`{"jsonrpc":"2.0","id":2,"result":${objects}}`)).ok, false);
});
