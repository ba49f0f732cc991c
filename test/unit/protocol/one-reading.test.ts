import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { parseLine } from '../../../src/protocol/jsonrpc.js';
import { countStrings } from '../../../src/protocol/one-reading.js';

const parse = (text: string) => parseLine(Buffer.from(text));
const SAFE = '{"content":[{"type":"text","text":"fine"}]}';
const EVIL = '{"content":[{"type":"text","text":"ghp_secret"}]}';

/** Lines a first-key parser (or a prototype-assigning copy, or a U+FFFD decoder) reads otherwise. */
const twoWays: [string, string, RegExp][] = [
  [
    'result twice (the finding: checked the last, forwarded both)',
    `{"jsonrpc":"2.0","id":1,"result":${SAFE},"result":${EVIL}}`,
    /key repeated/,
  ],
  [
    'result twice, the evil one first',
    `{"jsonrpc":"2.0","id":1,"result":${EVIL},"result":${SAFE}}`,
    /key repeated/,
  ],
  ['id twice', '{"jsonrpc":"2.0","id":1,"id":2,"result":{}}', /key repeated/],
  ['method twice', '{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}', /repeated/],
  [
    'a tools/call name twice (client → server)',
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read","arguments":{},"name":"delete"}}',
    /repeated/,
  ],
  [
    'an argument twice, deep down',
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"r","arguments":{"a":{"path":"/ok","path":"/etc/shadow"}}}}',
    /repeated/,
  ],
  [
    'a repeated key spelled with an escape',
    `{"jsonrpc":"2.0","id":1,"result":${SAFE},"res\\u0075lt":${EVIL}}`,
    /repeated/,
  ],
  [
    'a repeated key with whitespace before its colon',
    '{"jsonrpc":"2.0","id":1,"result" :{},"result"\t: {"x":1}}',
    /repeated/,
  ],
  [
    'a repeated key whose dropped value is a number (only the key is missing)',
    '{"jsonrpc":"2.0","id":1,"result":{"n":1,"n":2}}',
    /repeated/,
  ],
  [
    'repeated keys padded with values that start with a colon',
    '{"jsonrpc":"2.0","id":1,"result":{"a":":x","b":1,"b":2}}',
    /repeated/,
  ],
  [
    '__proto__ (a prototype to Object.assign)',
    '{"jsonrpc":"2.0","id":1,"result":{"__proto__":{"tools":[{"name":"rm"}]}}}',
    /__proto__/,
  ],
  [
    '__proto__ spelled with an escape',
    '{"jsonrpc":"2.0","id":1,"result":{"\\u005f_proto__":{"isError":true}}}',
    /__proto__/,
  ],
  [
    'two keys that a U+FFFD decoder makes one',
    '{"jsonrpc":"2.0","id":1,"result":{"a\\ud800":"x","a\\udbff":"y"}}',
    /lone surrogate/,
  ],
];

test('a line that parsers could read two ways is refused where it is parsed, in both directions', () => {
  for (const [name, text, reason] of twoWays) {
    const parsed = parse(text);
    assert.equal(parsed.ok, false, name);
    if (parsed.ok) continue;
    assert.equal(parsed.code, ErrorCode.InvalidRequest, name);
    assert.match(parsed.reason, reason, name);
  }
  // A request is owed an answer with its id; a response (answering the client's request of that
  // id with an error) is not.
  const request = parse(twoWays[4]![1]);
  assert.ok(!request.ok && request.id === 1 && request.response === false);
  const response = parse(twoWays[0]![1]);
  assert.ok(!response.ok && response.id === 1 && response.response === true);
});

test('lines with one reading pass: escaped quotes and backslashes, colons in strings, surrogate pairs, lone surrogates in values', () => {
  const oneWay = [
    '{"jsonrpc":"2.0","id":1,"result":{"text":"say \\"a\\": b","k\\"ey":"\\\\","\\\\":"\\\\\\""}}',
    '{"jsonrpc":"2.0","id":1,"result":{"a":":","b":"\\":","c":["\\"","x",":"]}}',
    '{"jsonrpc":"2.0","id":1,"result":{"emoji":"\\ud83d\\ude00","\\ud83d\\ude00":1}}',
    '{"jsonrpc":"2.0","id":1,"result":{"half":"\\ud800"}}',
    '{"jsonrpc":"2.0","id":1,"result":{"a":{"x":1},"b":{"x":1},"proto":"__proto__"}}',
    '{ "jsonrpc" : "2.0" , "id" : "s" , "method" : "ping" , "params" : { } }',
    '{"jsonrpc":"2.0","id":1,"result":{"":"","e":[]}}',
  ];
  for (const text of oneWay) assert.ok(parse(text).ok, text);
});

test('a byte order mark is no JSON whitespace: such a line is invalid JSON, never forwarded', () => {
  const parsed = parse('\ufeff{"jsonrpc":"2.0","id":1,"result":{}}');
  assert.ok(!parsed.ok);
  assert.equal(parsed.code, ErrorCode.ParseError);
});

test('countStrings: quotes not escaped, halved', () => {
  const cases: [string, number][] = [
    ['{}', 0],
    ['{"a":"b"}', 2],
    ['["\\"", "\\\\", "\\\\\\""]', 3],
    ['{"a\\"":1}', 1],
    ['{"a":"x\\\\"}', 2],
  ];
  for (const [text, strings] of cases) assert.equal(countStrings(text), strings, text);
});
