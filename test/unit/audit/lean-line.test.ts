import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createRecordLogger } from '../../../src/audit/audit-log.js';
import { FIELD_ORDER } from '../../../src/audit/record-shape.js';
import { rpcRequest, rpcResponse } from '../../../src/audit/event-constructors.js';
import type { AuditEvent } from '../../../src/audit/events.js';
import { isLean, LeanSerializer } from '../../../src/audit/lean-line.js';
import { escapeJsonText } from '../../../src/audit/terminal-safe.js';

const PREV = 'ab'.repeat(32);
const TIME = /"time":"[^"]+"/;

/** The line pino writes for this record with the log's own configuration. */
function pinoLine(
  session: string,
  seq: number,
  server: string,
  event: AuditEvent,
  remote?: string,
): string {
  let line = '';
  const logger = createRecordLogger(pino, session, (text) => (line = text), remote);
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
  [
    'characters that drive a terminal',
    rpcRequest({ method: 'tools/\u001b[31m\u202ecall\u0085', id: '\u200b\u2028', tool: '\u00ad' }),
  ],
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

void test('the lean serializer writes what pino writes, escaped as the log seals it, byte for byte (but the time)', () => {
  for (const [session, remote] of [
    ['0123456789abcdef', undefined],
    ['fixed-session', '127.0.0.1:5173'],
  ] as const) {
    const lean = new LeanSerializer(session, remote);
    for (const [what, event] of cases) {
      assert.ok(isLean(event), what);
      // The same serializer for every record: what it keeps from one server must not leak into
      // the next one's.
      for (const [seq, server] of [
        [1, 'files'],
        [123456, 'a "quoted" server ✓ \u202e'],
        [7, 'files'],
      ] as const) {
        const text = `${lean.prefix(event, ',"time":"T"', seq, server, PREV)}}\n`;
        const expected = escapeJsonText(
          pinoLine(session, seq, server, event, remote).replace(TIME, '"time":"T"'),
        );
        assert.equal(text, expected, what);
      }
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
