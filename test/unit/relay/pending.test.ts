import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingTable, type PendingRequest } from '../../../src/relay/pending.js';
import { OwnRequests } from '../../../src/relay/own-requests.js';
import type { RequestId } from '../../../src/protocol/jsonrpc.js';

const entry = (id: RequestId, method = 'tools/call'): PendingRequest => ({
  id,
  method,
  params: {},
  startedAt: 0,
});

void test('pending ids are told apart as JSON tells them: 1 and "1" differ, 0 and -0 (both "0") do not', () => {
  const table = new PendingTable();
  table.add(entry(1));
  table.add(entry('1'));
  table.add(entry(0));
  table.add(entry(1e21));
  table.add(entry(''));
  assert.equal(table.size, 5);
  assert.equal(table.take('1')?.id, '1');
  assert.equal(table.has('1'), false);
  assert.equal(table.has(1), true);
  assert.equal(table.take(-0)?.id, 0);
  assert.equal(table.has(0), false);
  assert.equal(table.has(1e21), true);
  assert.equal(table.has(1000000000000000000000), true);
  assert.equal(table.has('1e+21'), false);
  assert.equal(table.take('')?.id, '');
  assert.equal(table.take(''), undefined);
  // The same id added again replaces the entry; the oldest-first order is the first add's.
  table.add(entry(7, 'a'));
  table.add(entry(8, 'b'));
  table.add(entry(7, 'c'));
  assert.deepEqual(
    table.drain().map((e) => `${e.id}:${e.method}`),
    ['1:tools/call', '1e+21:tools/call', '7:c', '8:b'],
  );
});

void test("mcp-guard's own requests are found by the id as sent, number or string", async () => {
  const ids: RequestId[] = [5, '5'];
  const own = new OwnRequests(() => ids.shift()!);
  const lines: string[] = [];
  const first = own.send((line) => lines.push(line), 'ping', {}, 60_000);
  const second = own.send((line) => lines.push(line), 'ping', {}, 60_000);
  assert.equal(own.has(5), true);
  assert.equal(own.has('5'), true);
  assert.equal(own.has(6), false);
  assert.equal(own.settle({ kind: 'response', id: '5', result: { b: 2 } } as never), true);
  assert.equal(own.has('5'), false);
  assert.equal(own.has(5), true);
  assert.equal(own.settle({ kind: 'response', id: 5, result: { a: 1 } } as never), true);
  assert.deepEqual(await first, { a: 1 });
  assert.deepEqual(await second, { b: 2 });
  assert.equal(lines.length, 2);
});
