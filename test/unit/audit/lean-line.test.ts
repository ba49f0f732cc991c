import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createRecordLogger } from '../../../src/audit/audit-log.js';
import { FIELD_ORDER } from '../../../src/audit/record-shape.js';
import { rpcRequest, rpcResponse } from '../../../src/audit/event-constructors.js';
import type { AuditEvent } from '../../../src/audit/events.js';
import { isLean, leanPrefix } from '../../../src/audit/lean-line.js';

const PREV = 'ab'.repeat(32);
const TIME = /"time":"[^"]+"/;

/** The line pino writes for this record with the log's own configuration. */
function pinoLine(session: string, seq: number, server: string, event: AuditEvent): string {
  let line = '';
  const logger = createRecordLogger(pino, session, (text) => (line = text));
  const entry: Record<string, unknown> = { seq, server, event: event.name };
  const fields = event.fields as Record<string, unknown>;
  for (const key of FIELD_ORDER[event.name]) {
    if (fields[key] !== undefined) entry[key] = fields[key];
  }
  entry.prev = PREV;
  logger[event.level](entry);
  return line;
}

const request = { method: 'tools/call', id: 7, tool: 'read_file', startedAt: 0 };
const body = {
  jsonrpc: '2.0',
  id: 'x',
  result: { content: [{ type: 'text', text: 'héllo → 世界 😀 "q" \\ \n\t\u0001' }], big: 1e21 },
  neg: -0,
  nan: Number.NaN,
  nothing: null,
  list: [1, 'two', false, { deep: [[]] }],
};

const cases: [string, AuditEvent][] = [
  ['a forwarded request', rpcRequest({ method: 'tools/call', id: 1, tool: 'echo' })],
  ['a string id with escapes', rpcRequest({ method: 'ping', id: 'a "b" \\ c\n😀' })],
  ['a null id', rpcRequest({ method: 'ping', id: null })],
  ['a request with its body', rpcRequest({ method: 'tools/call', id: 2, body })],
  ['a retried request', rpcRequest({ method: 'tools/list', id: 3, retry: true })],
  [
    'a request mcp-guard answered',
    rpcRequest({
      method: 'roots/list',
      id: 4,
      direction: 'server-to-client',
      answeredBy: 'mcp-guard',
      rule: 'paths',
    }),
  ],
  ['a response', rpcResponse(request, { isError: false }, 12.345)],
  ['a response with a body', rpcResponse(request, { isError: true, body }, 0.04)],
  ['a timeout', rpcResponse(request, { isError: true, code: -31055, rule: 'callTimeout' }, 3e4)],
  [
    'a refused reply',
    rpcResponse({ ...request, tool: undefined }, { isError: true, rule: 'r' }, 1),
  ],
];

void test('the lean serializer writes what pino writes, byte for byte (but the time)', () => {
  for (const [what, event] of cases) {
    assert.ok(isLean(event), what);
    for (const [session, seq, server] of [
      ['0123456789abcdef', 1, 'files'],
      ['fixed-session', 123456, 'a "quoted" server ✓'],
    ] as const) {
      const lean = `${leanPrefix(event, ',"time":"T"', session, seq, server, PREV)}}\n`;
      const expected = pinoLine(session, seq, server, event).replace(TIME, '"time":"T"');
      assert.equal(lean, expected, what);
    }
  }
});

void test('only the two hot events take the lean path', () => {
  assert.deepEqual(
    (Object.keys(FIELD_ORDER) as AuditEvent['name'][]).filter((name) =>
      isLean({ name, level: 'info', fields: {} } as AuditEvent),
    ),
    ['rpc.request', 'rpc.response'],
  );
});
