import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRecord, formatTime } from '../../../src/audit/format.js';

const TIME = new Date(2025, 2, 7, 9, 5, 3, 42).toISOString(); // local 03-07 09:05:03.042

function line(event: string, fields: Record<string, unknown>, level = 'info'): string {
  return formatRecord(
    {
      level,
      time: TIME,
      session: 's1',
      seq: 1,
      server: 'files',
      event,
      ...fields,
      prev: '0',
      hash: '1',
    },
    { color: false },
  );
}

void test('one line per record: local short time, level, server, event, key fields', () => {
  const cases: {
    event: string;
    fields: Record<string, unknown>;
    level?: string;
    want: string[];
    not?: string[];
  }[] = [
    {
      event: 'rpc.request',
      fields: { method: 'tools/call', id: 7, tool: 'read_file', body: { secret: 'x' } },
      want: ['tools/call', 'id=7', 'tool=read_file'],
      not: ['secret'],
    },
    {
      event: 'rpc.response',
      fields: { method: 'tools/call', id: 'a', tool: 'read_file', durationMs: 12, isError: false },
      want: ['tools/call', 'id="a"', 'tool=read_file', '12ms'],
      not: ['failed'],
    },
    {
      event: 'rpc.response',
      fields: { method: 'tools/call', id: 8, durationMs: 3, isError: true, code: -31050 },
      want: ['failed', 'code=-31050'],
    },
    {
      event: 'policy.deny',
      level: 'warn',
      fields: {
        rule: 'tools.deny',
        reason: 'tool "move_file" is denied',
        direction: 'client-to-server',
        tool: 'move_file',
      },
      want: ['warn', 'tools.deny: tool "move_file" is denied', 'tool=move_file'],
    },
    {
      event: 'policy.deny',
      fields: {
        rule: 'paths',
        reason: 'outside roots',
        direction: 'client-to-server',
        enforced: false,
      },
      want: ['would deny', 'not enforced'],
    },
    {
      event: 'child.exit',
      fields: { pid: 9, code: null, signal: 'SIGTERM', forced: true },
      want: ['pid=9', 'signal=SIGTERM', 'forced'],
      not: ['code='],
    },
    {
      event: 'child.exit',
      fields: { pid: 9, code: 3, signal: null },
      want: ['code=3'],
      not: ['signal='],
    },
    { event: 'child.stderr', fields: { text: 'listening on stdio' }, want: ['listening on stdio'] },
    { event: 'custom.thing', fields: { alpha: 1, beta: 'two' }, want: ['alpha=1', 'beta=two'] },
  ];
  for (const c of cases) {
    const got = line(c.event, c.fields, c.level);
    assert.ok(got.startsWith(`03-07 09:05:03.042 ${c.level ?? 'info'}`), got);
    assert.ok(got.includes(' files ') && got.includes(c.event), got);
    for (const want of c.want) assert.ok(got.includes(want), `${c.event}: '${want}' in ${got}`);
    for (const not of c.not ?? [])
      assert.ok(!got.includes(not), `${c.event}: no '${not}' in ${got}`);
    assert.ok(!/\n/.test(got), 'one line');
    for (const meta of ['s1', 'prev', 'hash']) assert.ok(!got.includes(meta), `no ${meta}: ${got}`);
  }
});

void test('the word "error" appears only for error-level records', () => {
  const failedCall = line('rpc.response', {
    method: 'tools/call',
    id: 1,
    durationMs: 5,
    isError: true,
    code: -31054,
  });
  const denial = line(
    'policy.deny',
    { rule: 'r', reason: 'no', direction: 'server-to-client' },
    'warn',
  );
  for (const got of [failedCall, denial]) assert.doesNotMatch(got, /error/i);
  assert.match(line('child.failed', { reason: 'restart limit reached' }, 'error'), /\berror\b/);
});

void test('record text cannot drive the terminal: controls and bidi overrides are escaped', () => {
  const got = line('child.stderr', { text: 'red \u001b[31mX\u001b[0m\r\nnext \u202eevil' });
  assert.ok(!/[\u0000-\u001f\u202e]/.test(got), JSON.stringify(got));
  assert.ok(got.includes('\\u001b[31mX'), got);
});

void test('colour only when asked for', () => {
  const record = {
    level: 'warn',
    time: TIME,
    server: 'files',
    event: 'policy.deny',
    rule: 'r',
    reason: 'x',
  };
  assert.ok(!formatRecord(record, { color: false }).includes('\u001b['));
  assert.ok(formatRecord(record, { color: true }).includes('\u001b[33m'));
});

void test('time is local and short; an unreadable time is shown as is', () => {
  assert.equal(formatTime(TIME), '03-07 09:05:03.042');
  assert.equal(formatTime('yesterday').trim(), 'yesterday');
});

void test('nothing a record holds reaches the terminal raw: server, event, keys, values, paths', () => {
  const hostile = '\u009b2J\u202e\u2066\u001b]0;x\u0007';
  const got = formatRecord(
    {
      level: `warn${hostile}`,
      time: `t${hostile}`,
      session: 's1',
      seq: 1,
      server: `files${hostile}`,
      event: `made.up${hostile}`,
      [`key${hostile}`]: `value${hostile}`,
      nested: { [`k${hostile}`]: [`v${hostile}`] },
      prev: '0',
      hash: '1',
    },
    { color: false },
  );
  assert.ok(
    !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(got),
    JSON.stringify(got),
  );
  assert.ok(got.includes('files\\u009b2J\\u202e'), got);
  for (const event of ['child.spawn', 'pin.lock', 'policy.deny', 'child.failed', 'rpc.invalid']) {
    const shown = line(event, {
      command: hostile,
      args: [hostile],
      file: `/tmp/${hostile}`,
      rule: hostile,
      reason: hostile,
      tool: hostile,
      method: hostile,
      id: hostile,
      direction: hostile,
    });
    assert.ok(
      !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(shown),
      `${event}: ${JSON.stringify(shown)}`,
    );
  }
});
