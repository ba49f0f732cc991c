import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { idKey, parseLine } from '../../../src/protocol/jsonrpc.js';
import { sniffId, sniffTrailingId } from '../../../src/protocol/sniff-id.js';

const parse = (text: string | Buffer) =>
  parseLine(typeof text === 'string' ? Buffer.from(text) : text);

test('valid messages are classified', () => {
  const cases: [string, string][] = [
    ['{"jsonrpc":"2.0","id":1,"method":"ping"}', 'request'],
    ['{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x"}}', 'request'],
    ['{"jsonrpc":"2.0","method":"notifications/initialized"}', 'notification'],
    ['{"jsonrpc":"2.0","id":1,"result":{}}', 'response'],
    ['{"jsonrpc":"2.0","id":1,"result":null}', 'response'],
    ['{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m"}}', 'error'],
  ];
  for (const [text, kind] of cases) {
    const r = parse(text);
    assert.ok(r.ok, text);
    if (r.ok) assert.equal(r.message.kind, kind, text);
  }
});

test('invalid input gets the right code and id where it can be known', () => {
  const cases: {
    text: string | Buffer;
    code: number;
    id: string | number | null;
    response?: boolean;
  }[] = [
    { text: 'hello', code: ErrorCode.ParseError, id: null },
    { text: '{"jsonrpc":"2.0","id":5,"method":', code: ErrorCode.ParseError, id: 5 },
    { text: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), code: ErrorCode.ParseError, id: null },
    { text: '42', code: ErrorCode.InvalidRequest, id: null },
    { text: '"str"', code: ErrorCode.InvalidRequest, id: null },
    { text: 'null', code: ErrorCode.InvalidRequest, id: null },
    { text: '[]', code: ErrorCode.InvalidRequest, id: null },
    { text: '{"id":3,"method":"ping"}', code: ErrorCode.InvalidRequest, id: 3 },
    { text: '{"jsonrpc":"1.0","id":3,"method":"ping"}', code: ErrorCode.InvalidRequest, id: 3 },
    {
      text: '{"jsonrpc":"2.0","id":null,"method":"ping"}',
      code: ErrorCode.InvalidRequest,
      id: null,
    },
    { text: '{"jsonrpc":"2.0","id":{},"method":"ping"}', code: ErrorCode.InvalidRequest, id: null },
    { text: '{"jsonrpc":"2.0","id":4,"method":7}', code: ErrorCode.InvalidRequest, id: 4 },
    {
      text: '{"jsonrpc":"2.0","id":4,"method":"x","params":3}',
      code: ErrorCode.InvalidRequest,
      id: 4,
    },
    {
      text: '{"jsonrpc":"2.0","id":4,"result":1,"error":{"code":1,"message":"m"}}',
      code: ErrorCode.InvalidRequest,
      id: 4,
      response: true,
    },
    {
      text: '{"jsonrpc":"2.0","id":4,"error":"bad"}',
      code: ErrorCode.InvalidRequest,
      id: 4,
      response: true,
    },
    { text: '{"jsonrpc":"2.0"}', code: ErrorCode.InvalidRequest, id: null },
    { text: '{"jsonrpc":"2.0","id":15}', code: ErrorCode.InvalidRequest, id: 15, response: true },
    { text: '{"hello":1}', code: ErrorCode.InvalidRequest, id: null },
    {
      text: Buffer.concat([
        Buffer.from('{"jsonrpc":"2.0","id":8,"method":"x","params":{"t":"'),
        Buffer.from([0xff]),
        Buffer.from('"}}'),
      ]),
      code: ErrorCode.ParseError,
      id: 8,
    },
  ];
  for (const c of cases) {
    const r = parse(c.text);
    assert.equal(r.ok, false, String(c.text));
    if (!r.ok) {
      assert.equal(r.code, c.code, String(c.text));
      assert.equal(r.id, c.id, String(c.text));
      assert.equal(r.response === true, c.response === true, String(c.text));
    }
  }
});

test('a batch is refused and lists the ids of its requests', () => {
  const r = parse(
    '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":"b","method":"ping"}]',
  );
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.code, ErrorCode.InvalidRequest);
    assert.deepEqual(r.batch, [1, 'b']);
  }
});

test('ids 1 and "1" are distinct keys', () => {
  assert.notEqual(idKey(1), idKey('1'));
});

test('sniffId finds only the top-level id', () => {
  const cases: [string, string | number | null][] = [
    ['{"jsonrpc":"2.0","id":12,"method":"x","params":{"a":"', 12],
    ['{"method":"x","params":{"id":99},"id":"abc","x":"', 'abc'],
    ['{"params":{"id":99},"x":"', null],
    ['{"method":"id","id" : -3.5e2, "x"', -350],
    ['{"s":"\\"id\\":1","id":2', 2],
    ['not json', null],
    ['{"id":{"nested":1}}', null],
    ['{"id":"unterminated', null],
  ];
  for (const [text, want] of cases) assert.equal(sniffId(text), want, text);
});

test('sniffTrailingId finds an id written last in the top-level object only', () => {
  const cases: [string, string | number | null][] = [
    ['aaaa"},"jsonrpc":"2.0","id":17}', 17],
    ['aaaa"},"jsonrpc":"2.0","id":"req-9" }  ', 'req-9'],
    ['aaaa"},"id":-2.5e1}', -25],
    ['aaaa","x":{"id":3}}}', null],
    ['aaaa\\"id\\":3}"}', null],
    ['aaaa"},"id":3,"jsonrpc":"2.0"}', null],
    ['', null],
  ];
  for (const [text, want] of cases) assert.equal(sniffTrailingId(text), want, text);
});

test('a message that is two things at once is malformed, whatever its spelling', () => {
  // method + result/error: a peer that reads `result` first takes it for an answer.
  const cases: { text: string; id: string | number | null }[] = [
    { text: '{"jsonrpc":"2.0","id":1,"method":"ping","result":{}}', id: 1 },
    { text: '{"jsonrpc":"2.0","id":"1","method":"x","result":{"tools":[]}}', id: '1' },
    { text: '{"jsonrpc":"2.0","id":1,"result":{},"method":"ping"}', id: 1 },
    { text: '{"jsonrpc":"2.0","id":1,"method":"x","error":{"code":1,"message":"m"}}', id: 1 },
    { text: '{"jsonrpc":"2.0","id":1,"method":"x","result":null}', id: 1 },
    {
      text: '{"jsonrpc":"2.0","id":1,"method":"x","result":{},"error":{"code":1,"message":"m"}}',
      id: 1,
    },
    { text: '{"jsonrpc":"2.0","method":"notifications/x","result":{}}', id: null },
    { text: '{"jsonrpc":"2.0","id":null,"method":"x","result":{}}', id: null },
    { text: '{"jsonrpc":"2.0","id":7,"method":7,"result":{}}', id: 7 },
    { text: '{"jsonrpc":"2.0","id":7,"method":null,"result":{}}', id: 7 },
    { text: '{"id":7,"method":"x","result":{}}', id: 7 },
  ];
  for (const c of cases) {
    const r = parse(c.text);
    assert.equal(r.ok, false, c.text);
    if (!r.ok) {
      assert.equal(r.code, ErrorCode.InvalidRequest, c.text);
      assert.equal(r.id, c.id, c.text);
      // It carries a method: the sender may be waiting for an answer to it.
      assert.equal(r.response === true, false, c.text);
    }
  }
  const r = parse('{"jsonrpc":"2.0","id":1,"method":"ping","result":{}}');
  assert.ok(
    !r.ok && r.reason === 'a message is a request, a notification or a response, never two',
  );
});

test('ids keep their type and only strings and finite numbers are ids', () => {
  const kinds: [string, string | number | null][] = [
    ['{"jsonrpc":"2.0","id":1,"result":{}}', 1],
    ['{"jsonrpc":"2.0","id":"1","result":{}}', '1'],
    ['{"jsonrpc":"2.0","id":1.0,"result":{}}', 1],
    ['{"jsonrpc":"2.0","id":-0,"result":{}}', -0],
    ['{"jsonrpc":"2.0","id":true,"result":{}}', null],
    ['{"jsonrpc":"2.0","id":[1],"result":{}}', null],
    ['{"jsonrpc":"2.0","id":null,"result":{}}', null],
    ['{"jsonrpc":"2.0","id":1e999,"result":{}}', null],
  ];
  for (const [text, want] of kinds) {
    const r = parse(text);
    if (want === null) {
      assert.ok(!r.ok && r.response === true, text);
    } else {
      assert.ok(r.ok && r.message.kind === 'response', text);
      if (r.ok && r.message.kind === 'response') assert.equal(r.message.id, want, text);
    }
  }
  assert.equal(idKey(1), idKey(1.0));
  assert.notEqual(idKey(1), idKey('n1'));
});
