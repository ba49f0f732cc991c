import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLine, type RpcMessage } from '../../../src/protocol/jsonrpc.js';
import { MessageRecords } from '../../../src/relay/message-records.js';
import { collectAudit } from '../supervisor/fakes.js';

function message(line: string): RpcMessage {
  const parsed = parseLine(Buffer.from(line));
  assert.ok(parsed.ok);
  return parsed.message;
}

const call = message('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"rm"}}');

test('deny records the method, id and tool of what was refused, and counts it', () => {
  const audit = collectAudit();
  const records = new MessageRecords(audit, 'srv');
  records.deny('client-to-server', { rule: 'tools.deny', reason: 'denied' }, call);
  records.deny(
    'server-to-client',
    { rule: 'output', reason: 'r' },
    message('{"jsonrpc":"2.0","method":"notifications/message"}'),
  );
  assert.equal(records.denials, 2);
  assert.deepEqual(
    audit.records.map((r) => [r.event, r.level, r.fields]),
    [
      [
        'policy.deny',
        'warn',
        {
          rule: 'tools.deny',
          reason: 'denied',
          direction: 'client-to-server',
          method: 'tools/call',
          id: 3,
          tool: 'rm',
        },
      ],
      [
        'policy.deny',
        'warn',
        {
          rule: 'output',
          reason: 'r',
          direction: 'server-to-client',
          method: 'notifications/message',
        },
      ],
    ],
  );
});

test('the rpc.request records: forwarded (body only with audit.bodies), resent, answered', () => {
  const audit = collectAudit();
  const records = new MessageRecords(audit, 'srv');
  records.forwarded(call as Extract<RpcMessage, { kind: 'request' }>, 'rm');
  records.resent({ id: 4, method: 'tools/list', params: {}, startedAt: 0 });
  records.answered(
    'server-to-client',
    'roots',
    message('{"jsonrpc":"2.0","id":"r","method":"roots/list"}') as Extract<
      RpcMessage,
      { kind: 'request' }
    >,
  );
  assert.deepEqual(
    audit.records.map((r) => r.fields),
    [
      { method: 'tools/call', id: 3, tool: 'rm' },
      { method: 'tools/list', id: 4, retry: true },
      {
        method: 'roots/list',
        id: 'r',
        direction: 'server-to-client',
        answeredBy: 'mcp-guard',
        rule: 'roots',
      },
    ],
  );
  const withBodies = { ...collectAudit(), bodies: true };
  new MessageRecords(withBodies, 'srv').forwarded(
    call as Extract<RpcMessage, { kind: 'request' }>,
    'rm',
  );
  assert.deepEqual(withBodies.records[0]?.fields.body, call.body);
});

test('notifications are recorded only with audit.bodies; invalid lines and responses always', () => {
  const audit = collectAudit();
  const records = new MessageRecords(audit, 'srv');
  const note = message('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  records.notification('client-to-server', note);
  assert.equal(audit.records.length, 0);
  const withBodies = { ...collectAudit(), bodies: true };
  new MessageRecords(withBodies, 'srv').notification('client-to-server', note);
  assert.deepEqual(withBodies.records[0]?.fields, {
    direction: 'client-to-server',
    method: 'notifications/initialized',
    body: note.body,
  });
  records.invalid('server-to-client', 'not JSON', 12, null);
  records.response(
    { id: 3, method: 'tools/call', tool: 'rm', startedAt: 100 },
    { isError: true, code: -31055 },
    112.34,
  );
  assert.deepEqual(
    audit.records.map((r) => [r.event, r.fields]),
    [
      ['rpc.invalid', { direction: 'server-to-client', reason: 'not JSON', size: 12, id: null }],
      [
        'rpc.response',
        { method: 'tools/call', id: 3, tool: 'rm', durationMs: 12.3, isError: true, code: -31055 },
      ],
    ],
  );
});
