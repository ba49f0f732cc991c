import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AUDIT_CATALOGUE, AUDIT_EVENTS } from '../../../src/audit/catalogue.js';
import { checkAuditRecord } from '../../../src/audit/check-record.js';
import { pinLock, rpcResponse, sessionReplay } from '../../../src/audit/event-constructors.js';
import type { AuditEventName } from '../../../src/audit/events.js';
import { ROOT } from '../../helpers/paths.js';

/** docs/audit.md's "Events" section: its table rows and its per-event field lists. */
function documented(): {
  table: Map<string, string>;
  fields: Map<string, { name: string; optional: boolean }[]>;
} {
  const text = readFileSync(join(ROOT, 'docs', 'audit.md'), 'utf8');
  const start = text.indexOf('\n## Events\n');
  const end = text.indexOf('\n## ', start + 1);
  assert.ok(start >= 0 && end > start, 'docs/audit.md has an Events section');
  const table = new Map<string, string>();
  const fields = new Map<string, { name: string; optional: boolean }[]>();
  let current: { name: string; optional: boolean }[] | null = null;
  for (const line of text.slice(start, end).split('\n')) {
    const row = /^\| `([a-z.]+)` +\| ([a-z]+)/.exec(line);
    if (row !== null) table.set(row[1]!, row[2]!);
    const heading = /^### `([a-z.]+)`$/.exec(line);
    if (heading !== null) {
      current = [];
      fields.set(heading[1]!, current);
    }
    const item = /^- `([A-Za-z]+)`( \(optional\))?: \S/.exec(line);
    if (item !== null) {
      assert.ok(current !== null, `a field outside an event: ${line}`);
      current.push({ name: item[1]!, optional: item[2] !== undefined });
    }
  }
  return { table, fields };
}

void test('docs/audit.md lists exactly the catalogue: events, levels, fields, optional ones', () => {
  const docs = documented();
  assert.deepEqual([...docs.table.keys()], [...AUDIT_EVENTS], 'the events table');
  assert.deepEqual([...docs.fields.keys()], [...AUDIT_EVENTS], 'one field list per event');
  for (const name of AUDIT_EVENTS) {
    const entry = AUDIT_CATALOGUE[name];
    assert.equal(docs.table.get(name), entry.level, `${name}: level`);
    const expected = Object.entries(entry.fields).map(([field, doc]) => ({
      name: field,
      optional: (doc as { optional?: true }).optional === true,
    }));
    assert.deepEqual(docs.fields.get(name), expected, `${name}: fields`);
  }
});

void test('every event SPEC.md section 7 requires is in the catalogue with its fields', () => {
  const required: Partial<Record<AuditEventName, string[]>> = {
    'guard.start': [],
    'guard.stop': [],
    'child.spawn': [],
    'child.exit': [],
    'child.restart': [],
    'child.failed': [],
    'health.fail': [],
    'rpc.request': [],
    'rpc.response': ['method', 'id', 'tool', 'durationMs', 'isError'],
    'policy.deny': ['rule', 'reason', 'direction'],
    'rpc.invalid': [],
    'pin.drift': [],
    'sandbox.applied': [],
  };
  for (const [name, fields] of Object.entries(required)) {
    assert.ok(Object.hasOwn(AUDIT_CATALOGUE, name), `${name} is in the catalogue`);
    const listed = Object.keys(AUDIT_CATALOGUE[name as AuditEventName].fields);
    for (const field of fields) assert.ok(listed.includes(field), `${name}.${field}`);
  }
});

const base = { level: 'info', time: 't', session: 's', seq: 1, server: 'x', prev: 'p', hash: 'h' };

void test('checkAuditRecord finds drift: unknown events and fields, missing fields, wrong levels', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['a conforming record', { ...base, event: 'child.failed', level: 'error', reason: 'r' }, []],
    ['an unknown event', { ...base, event: 'child.vanished' }, ['unknown event "child.vanished"']],
    [
      'a field the catalogue lacks',
      { ...base, event: 'health.skip', reason: 'r', extra: 1 },
      ['health.skip: field extra is not in the catalogue'],
    ],
    ['a missing field', { ...base, event: 'health.skip' }, ['health.skip: no field reason']],
    [
      'a level the catalogue does not allow',
      { ...base, event: 'health.skip', level: 'error', reason: 'r' },
      ['health.skip: level error, the catalogue says info'],
    ],
    [
      'a level a constructor may choose',
      { ...base, event: 'session.replay', level: 'warn', pid: 1, failed: 'f' },
      [],
    ],
    [
      'no chain',
      { event: 'health.skip', level: 'info', reason: 'r' },
      [
        'health.skip: no time',
        'health.skip: no session',
        'health.skip: no seq',
        'health.skip: no server',
        'health.skip: no prev',
        'health.skip: no hash',
      ],
    ],
  ];
  for (const [what, record, problems] of cases) {
    assert.deepEqual(checkAuditRecord(record), problems, what);
  }
});

void test('constructors choose the level the catalogue notes; rpc.response rounds to 0.1 ms', () => {
  assert.equal(sessionReplay({ pid: 1, listsChanged: [] }).level, 'info');
  assert.equal(sessionReplay({ pid: 1, failed: 'timeout' }).level, 'warn');
  assert.equal(pinLock({ action: 'recorded', file: 'f', tools: 1 }).level, 'info');
  assert.equal(pinLock({ action: 'unwritable', file: 'f', reason: 'r' }).level, 'warn');
  const request = { method: 'tools/call', id: 1, startedAt: 10 };
  for (const [now, ms] of [
    [10, 0],
    [10.04, 0],
    [10.06, 0.1],
    [22.349, 12.3],
    [1010, 1000],
  ] as const) {
    assert.equal(rpcResponse(request, { isError: false }, now).fields.durationMs, ms, `${now}`);
  }
});
