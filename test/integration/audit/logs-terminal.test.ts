import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { openAuditLog } from '../../../src/audit/audit-log.js';
import { sealPrefix, ZERO_HASH } from '../../../src/audit/chain.js';
import { childStderr, policyDeny } from '../../../src/audit/event-constructors.js';
import { CLI } from '../../helpers/paths.js';
import { runNode } from './processes.js';

/** C0, C1 and bidi characters a hostile server or a forged line may put in record text. */
const HOSTILE = '\u001b]0;pwned\u0007\u009b2J\u202eevil\u2066x\u2069\u200f';
/** Anything of that kind, raw, in what the operator's terminal receives. */
const RAW =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-logs-terminal-'));
  file = join(dir, `audit${'\u202e'}.jsonl`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const logs = (...args: string[]) =>
  runNode([CLI, 'logs', ...args], { ...process.env, NO_COLOR: '' });

/** Records written by mcp-guard itself, then a forged one with raw C1/bidi inside its strings. */
async function writeHostileLog(): Promise<void> {
  const log = await openAuditLog({ file, bodies: false });
  log.record(`srv${HOSTILE}`, childStderr(`stderr ${HOSTILE}`));
  log.record(
    'files',
    policyDeny({
      rule: 'paths',
      reason: `outside the roots: /tmp/${HOSTILE}`,
      direction: 'client-to-server',
      tool: `read${HOSTILE}`,
    }),
  );
  log.close();
  // Raw (unescaped) C1 and bidi characters are legal inside JSON strings: a forged, validly
  // hashed record that carries them as they are.
  const prefix = `{"level":"info","time":"2025-03-07T09:05:03.042Z","session":"forged\u202e","seq":1,"server":"x\u009b2J","event":"child.stderr","text":"raw \u009b31m\u202e\u2066","prev":"${ZERO_HASH}"`;
  appendFileSync(file, `${sealPrefix(prefix).line}\n`);
}

void test('the writer stores unsafe characters as JSON escapes: the file itself is safe to print', async () => {
  await writeHostileLog();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  for (const line of lines.slice(0, 2)) assert.ok(!RAW.test(line), JSON.stringify(line));
  const first = JSON.parse(lines[0]!) as { server: string; text: string };
  assert.equal(first.text, `stderr ${HOSTILE}`, 'the value is kept exactly');
  assert.equal(first.server, `srv${HOSTILE}`);
  const verified = await logs('--file', file, '--verify');
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
});

void test('logs, logs --json and logs --verify never print a raw control or bidi character', async () => {
  await writeHostileLog();
  const human = await logs('--file', file);
  assert.equal(human.code, 0, human.stderr);
  assert.ok(!RAW.test(human.stdout), JSON.stringify(human.stdout));
  assert.ok(human.stdout.includes('\\u009b2J\\u202eevil'), human.stdout);
  assert.ok(human.stdout.includes('raw \\u009b31m\\u202e\\u2066'), human.stdout);

  const json = await logs('--file', file, '--json');
  assert.equal(json.code, 0, json.stderr);
  assert.ok(!RAW.test(json.stdout), JSON.stringify(json.stdout));
  const printed = json.stdout.trimEnd().split('\n');
  assert.equal(printed.length, 3);
  // mcp-guard's own records are printed byte for byte as stored; the forged one is escaped, and
  // still parses to the same value.
  const stored = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(printed[0], stored[0]);
  assert.equal(printed[1], stored[1]);
  assert.equal((JSON.parse(printed[2]!) as { text: string }).text, 'raw \u009b31m\u202e\u2066');

  // A record edited in place: verify names its session, escaped; so does the JSON report.
  appendFileSync(file, `${stored[2]!.replace('raw', 'RAW')}\n`);
  for (const args of [['--verify'], ['--verify', '--json']]) {
    const verified = await logs('--file', file, ...args);
    assert.equal(verified.code, 1, verified.stderr);
    assert.ok(!RAW.test(verified.stdout), JSON.stringify(verified.stdout));
    assert.ok(verified.stdout.includes('forged\\u202e'), verified.stdout);
  }
  const missing = await logs('--file', join(dir, `none${HOSTILE}.jsonl`));
  assert.equal(missing.code, 1);
  assert.ok(!RAW.test(missing.stderr), JSON.stringify(missing.stderr));
});
