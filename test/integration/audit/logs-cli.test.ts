import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, test } from 'node:test';
import { openAuditLog } from '../../../src/audit/audit-log.js';
import {
  childExit,
  childStderr,
  guardStart,
  pinDrift,
  policyDeny,
  rpcRequest,
  rpcResponse,
} from '../../../src/audit/event-constructors.js';
import { verifyAuditLog } from '../../../src/audit/verify.js';
import { CLI, ROOT } from '../../helpers/paths.js';
import { killTreeAfter } from '../../helpers/processes.js';
import { runNode, startNode } from './processes.js';

const AUDIT_MODULE = pathToFileURL(join(ROOT, '.build', 'src', 'audit', 'audit-log.js')).href;

// A writer process: opens the log, says "ready", and on "go" appends COUNT records with bodies of
// up to 70 KB (far above PIPE_BUF and sonic-boom's 16 KiB chunks), each in one write.
const WRITER = `
const [moduleUrl, file, count, server] = process.argv.slice(1);
const { openAuditLog } = await import(moduleUrl);
const { rpcResponse } = await import(new URL('./event-constructors.js', moduleUrl).href);
const log = await openAuditLog({ file, bodies: true });
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  for (let i = 1; i <= Number(count); i += 1) {
    const request = { method: 'tools/call', id: i, tool: 'read_file', startedAt: 0 };
    const body = 'x'.repeat((i * 7919) % 70000);
    log.record(server, rpcResponse(request, { isError: false, body }, i % 50));
  }
  log.close();
  process.stdin.destroy();
});
`;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-logs-'));
  file = join(dir, 'audit.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const logs = (...args: string[]) =>
  runNode([CLI, 'logs', ...args], { ...process.env, NO_COLOR: '' });

/** A small log with two servers and the events `logs` shows specially. */
async function writeSampleLog(): Promise<void> {
  const log = await openAuditLog({ file, bodies: false });
  log.record('files', guardStart({ version: '0.1.0', pid: 4242 }));
  log.record('files', rpcRequest({ method: 'tools/call', id: 1, tool: 'read_file' }));
  const request = { method: 'tools/call', id: 1, tool: 'read_file', startedAt: 0 };
  log.record('files', rpcResponse(request, { isError: true }, 17));
  log.record(
    'memory',
    policyDeny({
      rule: 'tools.deny',
      reason: 'tool "delete_entities" is denied',
      direction: 'client-to-server',
      tool: 'delete_entities',
    }),
  );
  log.record('memory', childStderr('Knowledge Graph MCP Server running on stdio'));
  log.record('memory', childExit({ pid: 77, code: null, signal: 'SIGTERM', forced: false }));
  log.close();
}

void test('two processes appending concurrently to one file leave two intact chains', async (t) => {
  const count = 400;
  const writers = ['alpha', 'beta'].map((server) =>
    startNode(['--input-type=module', '-e', WRITER, AUDIT_MODULE, file, String(count), server]),
  );
  for (const writer of writers) killTreeAfter(t, writer.child);
  await Promise.all(
    writers.map((w, i) => w.waitFor(`writer ${i} ready`, ({ stdout }) => stdout.includes('ready'))),
  );
  for (const w of writers) w.child.stdin?.write('go\n');
  for (const finished of await Promise.all(writers.map((w) => w.exited(30_000)))) {
    assert.equal(finished.code, 0, finished.stderr);
  }
  const result = verifyAuditLog(readFileSync(file));
  assert.deepEqual(result.problems, []);
  assert.deepEqual([result.sessions, result.records], [2, 2 * count]);
  const servers = readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as { server: string }).server);
  const switches = servers.filter((server, i) => i > 0 && server !== servers[i - 1]).length;
  process.stdout.write(`# the two writers' records alternated ${switches} times in the file\n`);

  const intact = await logs('--file', file, '--verify');
  assert.equal(intact.code, 0, intact.stderr);
  assert.match(intact.stdout, /800 record\(s\) in 2 session\(s\); every chain is intact/);
});

void test('--verify exits 1 naming the line after an edit or a deletion', async () => {
  await writeSampleLog();
  const lines = readFileSync(file, 'utf8').split('\n');
  writeFileSync(
    file,
    lines
      .map((line, i) => (i === 2 ? line.replace('"durationMs":17', '"durationMs":1') : line))
      .join('\n'),
  );
  const edited = await logs('--file', file, '--verify');
  assert.equal(edited.code, 1, edited.stderr);
  assert.match(edited.stdout, /line 3 session [0-9a-f]+ seq 3: hash-mismatch/);

  writeFileSync(file, lines.filter((_, i) => i !== 1).join('\n'));
  const deleted = await logs('--file', file, '--verify', '--json');
  assert.equal(deleted.code, 1, deleted.stderr);
  const report = JSON.parse(deleted.stdout) as {
    ok: boolean;
    problems: { line: number; kind: string }[];
  };
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.problems.map((p) => [p.kind, p.line]),
    [['gap', 2]],
  );
});

void test('pretty output shows each record with its key fields, filtered by --server and --denied', async () => {
  await writeSampleLog();
  const all = await logs('--file', file);
  assert.equal(all.code, 0, all.stderr);
  const lines = all.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 6, all.stdout);
  const want = [
    ['files', 'guard.start', 'pid=4242'],
    ['files', 'rpc.request', 'tools/call', 'id=1', 'tool=read_file'],
    ['files', 'rpc.response', 'tools/call', 'id=1', '17ms', 'failed'],
    ['warn', 'memory', 'policy.deny', 'tools.deny: tool "delete_entities" is denied'],
    ['memory', 'child.stderr', 'Knowledge Graph MCP Server running on stdio'],
    ['memory', 'child.exit', 'pid=77', 'signal=SIGTERM'],
  ];
  want.forEach((parts, i) => {
    for (const part of parts)
      assert.ok(lines[i]?.includes(part), `'${part}' in line ${i + 1}: ${lines[i]}`);
  });
  assert.doesNotMatch(all.stdout, /error/i, 'no error-level record, so no "error"');
  assert.doesNotMatch(all.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');

  const memory = await logs('--file', file, '--server', 'memory');
  assert.deepEqual(
    memory.stdout
      .trimEnd()
      .split('\n')
      .map((l) => / (files|memory) /.exec(l)?.[1]),
    ['memory', 'memory', 'memory'],
  );
  const denied = await logs('--file', file, '--denied');
  assert.equal(denied.stdout.trimEnd().split('\n').length, 1);
  assert.match(denied.stdout, /policy\.deny/);
  const none = await logs('--file', file, '--denied', '--server', 'files');
  assert.equal(none.stdout, '');
  const json = await logs('--file', file, '--json', '--server', 'files');
  assert.deepEqual(
    json.stdout,
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(0, 3)
      .map((l) => `${l}\n`)
      .join(''),
  );
});

void test('usage problems exit 2; a missing log exits 1', async () => {
  for (const args of [['--nope'], ['--verify', '-f'], ['-c', 'x.yaml', '--file', 'y'], ['extra']]) {
    const result = await logs(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
  }
  const missing = await logs('--file', join(dir, 'none.jsonl'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no audit log at/);
  const help = await logs('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--verify/);
  assert.equal(help.stderr, '');
});

void test('-f prints existing records, then ones appended later, and stops on SIGINT', async (t) => {
  await writeSampleLog();
  const follower = startNode([CLI, 'logs', '--file', file, '-f']);
  killTreeAfter(t, follower.child);
  await follower.waitFor('the existing records', ({ stdout }) => stdout.includes('child.exit'));
  const log = await openAuditLog({ file, bodies: false });
  log.record('files', pinDrift({ tool: 'read_file', change: 'changed', mode: 'warn' }));
  log.close();
  await follower.waitFor('the appended record', ({ stdout }) => stdout.includes('pin.drift'));
  follower.child.kill('SIGINT');
  const finished = await follower.exited();
  assert.equal(finished.code, 0, finished.stderr);
  assert.equal(finished.stdout.trimEnd().split('\n').length, 7);
});

void test('-f waits for a log that does not exist yet', async (t) => {
  const follower = startNode([CLI, 'logs', '--file', join(dir, 'later', 'audit.jsonl'), '-f']);
  killTreeAfter(t, follower.child);
  await follower.waitFor('the waiting notice', ({ stderr }) => stderr.includes('waiting for'));
  const log = await openAuditLog({ file: join(dir, 'later', 'audit.jsonl'), bodies: false });
  log.record('files', guardStart({ version: '0.1.0', pid: 1 }));
  log.close();
  await follower.waitFor('the first record', ({ stdout }) => stdout.includes('guard.start'));
  follower.child.kill('SIGINT');
  assert.equal((await follower.exited()).code, 0);
});

void test('audit.file "-" writes records to stderr, never stdout', async () => {
  const script = `
    const { openAuditLog } = await import(process.argv[1]);
    const events = await import(new URL('./event-constructors.js', process.argv[1]).href);
    const log = await openAuditLog({ file: '-', bodies: false });
    log.record('files', events.guardStart({ version: '0.1.0', pid: process.pid }));
    log.record('files', events.guardStop({ reason: 'stdin-eof' }));
    log.close();`;
  const result = await runNode(['--input-type=module', '-e', script, AUDIT_MODULE]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  const verdict = verifyAuditLog(result.stderr);
  assert.deepEqual([verdict.ok, verdict.records], [true, 2]);
});
