import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { createNullAuditLog, openAuditLog } from '../../../src/audit/audit-log.js';
import { AUDIT_CATALOGUE, AUDIT_EVENTS } from '../../../src/audit/catalogue.js';
import { RECORD_KEYS } from '../../../src/audit/record-shape.js';
import {
  childExit,
  childFailed,
  childStderr,
  guardStart,
  guardStop,
  policyDeny,
  rpcNotification,
  rpcRequest,
  rpcResponse,
} from '../../../src/audit/event-constructors.js';
import { verifyAuditLog } from '../../../src/audit/verify.js';
import { GuardError } from '../../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-audit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ZERO = '0'.repeat(64);
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

function readRecords(file: string): { line: string; record: Record<string, unknown> }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => ({ line, record: JSON.parse(line) as Record<string, unknown> }));
}

void test('records form a SHA-256 chain over the exact line bytes, seq from 1', async () => {
  const file = join(dir, 'nested', 'audit.jsonl');
  const log = await openAuditLog({ file, bodies: false });
  log.record('files', guardStart({ version: '0.1.0', pid: 42 }));
  const request = { method: 'tools/call', id: 7, tool: 'read_file', startedAt: 0 };
  log.record('files', rpcResponse(request, { isError: false }, 12));
  log.record(
    'memory',
    policyDeny({ rule: 'tools.deny', reason: 'denied', direction: 'client-to-server' }),
  );
  log.close();

  const lines = readRecords(file);
  assert.equal(lines.length, 3);
  let prev = ZERO;
  lines.forEach(({ line, record }, i) => {
    const match = HASH_SUFFIX.exec(line);
    assert.ok(match, `line ${i + 1} ends with the hash member`);
    const prefix = line.slice(0, line.length - match[0].length);
    const expected = createHash('sha256').update(Buffer.from(prefix, 'utf8')).digest('hex');
    assert.equal(
      record.hash,
      expected,
      `line ${i + 1}: hash is SHA-256 of the line before ,"hash"`,
    );
    assert.equal(record.prev, prev, `line ${i + 1}: prev is the previous hash`);
    assert.equal(record.seq, i + 1);
    assert.equal(record.session, log.session);
    assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const noise of ['hostname', 'msg']) assert.ok(!(noise in record), `no ${noise}`);
    if (record.event !== 'guard.start') assert.ok(!('pid' in record), 'no pino pid');
    prev = String(record.hash);
  });
  assert.deepEqual(
    lines.map(({ record }) => [record.level, record.server, record.event]),
    [
      ['info', 'files', 'guard.start'],
      ['info', 'files', 'rpc.response'],
      ['warn', 'memory', 'policy.deny'],
    ],
  );
  assert.equal(lines[1]?.record.tool, 'read_file');
  assert.equal(lines[0]?.record.pid, 42);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the log may hold bodies: owner-only');
  assert.equal(verifyAuditLog(readFileSync(file)).ok, true);
});

void test('field values of every shape survive and still verify', async () => {
  const file = join(dir, 'audit.jsonl');
  const log = await openAuditLog({ file, bodies: true }, { session: 'fixed-session' });
  assert.equal(log.session, 'fixed-session');
  assert.equal(log.bodies, true);
  const cases: Record<string, unknown>[] = [
    { text: 'line one\nline two\ttab "quoted" \\ backslash' },
    {
      text: 'héllo → 世界 😀',
      body: { jsonrpc: '2.0', id: 'x', result: { content: [{ type: 'text' }] } },
    },
    { text: 'lone surrogate \ud800 here', escape: '\u001b[31mred\u001b[0m', nul: '\u0000' },
    {
      big: 'x'.repeat(200_000),
      n: 1e21,
      neg: -0,
      nan: Number.NaN,
      missing: undefined,
      nothing: null,
    },
  ];
  // Strings of every shape as a field, everything else as a message body.
  for (const fields of cases) {
    if (typeof fields.text === 'string') log.record('s', childStderr(fields.text));
    log.record('s', rpcNotification({ direction: 'client-to-server', body: fields }));
  }
  log.close();
  const result = verifyAuditLog(readFileSync(file));
  assert.deepEqual(result.problems, []);
  assert.equal(result.records, cases.length * 2 - 1);
  const records = readRecords(file).map(({ record }) => record);
  assert.equal(records[0]?.text, cases[0]?.text);
  assert.equal(records[2]?.text, cases[1]?.text);
  assert.deepEqual((records[3]?.body as Record<string, unknown>).body, cases[1]?.body);
  assert.equal(((records[6]?.body as Record<string, unknown>).big as string).length, 200_000);
});

void test('only catalogue fields are written: the record keeps its own keys', async () => {
  for (const name of AUDIT_EVENTS) {
    for (const key of Object.keys(AUDIT_CATALOGUE[name].fields)) {
      assert.ok(!RECORD_KEYS.includes(key), `${name}.${key} is a key the record owns`);
    }
  }
  const file = join(dir, 'audit.jsonl');
  const log = await openAuditLog({ file, bodies: false });
  // What a call site could smuggle past the types (a spread) is not written.
  const smuggled = { time: 'mine', seq: 99, hash: 'h', prev: 'p', session: 'x', extra: 1 };
  log.record('s', rpcRequest({ method: 'm', id: 1, ...smuggled }));
  log.close();
  const record = readRecords(file)[0]?.record ?? {};
  assert.equal(record.seq, 1);
  assert.equal(record.session, log.session);
  assert.deepEqual(Object.keys(record), [
    'level',
    'time',
    'session',
    'seq',
    'server',
    'event',
    'method',
    'id',
    'prev',
    'hash',
  ]);
  assert.equal(verifyAuditLog(readFileSync(file)).ok, true);
});

void test('each open log is its own session; two logs on one file verify', async () => {
  const file = join(dir, 'audit.jsonl');
  const a = await openAuditLog({ file, bodies: false });
  const b = await openAuditLog({ file, bodies: false });
  assert.notEqual(a.session, b.session);
  for (let i = 0; i < 5; i += 1) {
    a.record('a', rpcRequest({ method: 'ping', id: i }));
    b.record('b', rpcRequest({ method: 'ping', id: i }));
  }
  a.close();
  b.close();
  const result = verifyAuditLog(readFileSync(file));
  assert.deepEqual([result.ok, result.sessions, result.records], [true, 2, 10]);
});

void test('a log that cannot be opened fails with ERR_AUDIT naming the file', async () => {
  const blocker = join(dir, 'not-a-folder');
  writeFileSync(blocker, '');
  const file = join(blocker, 'audit.jsonl');
  await assert.rejects(openAuditLog({ file, bodies: false }), (err: unknown) => {
    assert.ok(err instanceof GuardError);
    assert.equal(err.code, 'ERR_AUDIT');
    assert.ok(err.message.includes(file), err.message);
    return true;
  });
});

void test(
  'a failed write goes to onError (default: thrown as ERR_AUDIT)',
  { skip: !existsSync('/dev/full') && 'needs /dev/full' },
  async () => {
    const thrower = await openAuditLog({ file: '/dev/full', bodies: false });
    assert.throws(
      () => thrower.record('s', rpcRequest({ method: 'ping', id: 1 })),
      (err: unknown) =>
        err instanceof GuardError && err.code === 'ERR_AUDIT' && err.message.includes('/dev/full'),
    );
    thrower.close();
    const seen: GuardError[] = [];
    const log = await openAuditLog(
      { file: '/dev/full', bodies: false },
      { onError: (err) => seen.push(err) },
    );
    log.record('s', rpcRequest({ method: 'ping', id: 1 }));
    log.record('s', rpcRequest({ method: 'ping', id: 2 }));
    log.close();
    assert.equal(seen.length, 2);
    assert.ok(seen.every((err) => err.code === 'ERR_AUDIT'));
  },
);

void test('corked records are held, then written together at the outermost uncork', async () => {
  const file = join(dir, 'audit.jsonl');
  const log = await openAuditLog({ file, bodies: false });
  const lines = (): number => (existsSync(file) ? readRecords(file).length : 0);
  log.record('s', rpcRequest({ method: 'a', id: 1 }));
  log.cork();
  log.cork();
  log.record('s', rpcRequest({ method: 'b', id: 2 }));
  log.record('s', rpcResponse({ method: 'b', id: 2, startedAt: 0 }, { isError: false }, 1));
  log.uncork();
  assert.equal(lines(), 1, 'still held inside the outer cork');
  log.uncork();
  assert.equal(lines(), 3);
  log.uncork(); // unbalanced: ignored
  log.cork();
  log.record('s', guardStop({ reason: 'stdin-eof' }));
  log.close();
  assert.deepEqual(
    readRecords(file).map(({ record }) => record.seq),
    [1, 2, 3, 4],
    'close writes what was held',
  );
  assert.equal(verifyAuditLog(readFileSync(file)).ok, true);
});

void test('records after close are dropped without throwing', async () => {
  const file = join(dir, 'audit.jsonl');
  const log = await openAuditLog({ file, bodies: false });
  log.record('s', guardStart({ version: '0', pid: 1 }));
  log.close();
  log.close();
  log.record('s', guardStop({ reason: 'late' }));
  assert.equal(readRecords(file).length, 1);
});

void test('the null log drops everything', () => {
  const log = createNullAuditLog();
  assert.equal(log.bodies, false);
  assert.equal(typeof log.session, 'string');
  log.record('s', guardStart({ version: '0', pid: 1 }));
  log.close();
});

void test('each event is written at its usual level; error only for real failures', async () => {
  const file = join(dir, 'audit.jsonl');
  const log = await openAuditLog({ file, bodies: false });
  log.record('s', childFailed('6 starts within 60000 ms (maxRestarts 5)'));
  log.record('s', childExit({ pid: 1, code: 0, signal: null }));
  log.record('s', policyDeny({ rule: 'r', reason: 'why', direction: 'server-to-client' }));
  log.close();
  assert.deepEqual(
    readRecords(file).map(({ record }) => record.level),
    ['error', 'info', 'warn'],
  );
  const errorEvents = AUDIT_EVENTS.filter((event) => AUDIT_CATALOGUE[event].level === 'error');
  assert.deepEqual(errorEvents, ['child.failed']);
  for (const name of [
    'guard.start',
    'guard.stop',
    'child.spawn',
    'child.exit',
    'child.restart',
    'child.failed',
    'child.stderr',
    'health.fail',
    'rpc.request',
    'rpc.response',
    'policy.deny',
    'rpc.invalid',
    'pin.drift',
    'sandbox.applied',
  ]) {
    assert.ok(
      (AUDIT_EVENTS as readonly string[]).includes(name),
      `SPEC.md event ${name} is listed`,
    );
  }
});
