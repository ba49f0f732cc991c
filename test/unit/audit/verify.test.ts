import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after, test } from 'node:test';
import { openAuditLog } from '../../../src/audit/audit-log.js';
import { rpcRequest } from '../../../src/audit/event-constructors.js';
import { formatProblem, verifyAuditLog, type AuditProblem } from '../../../src/audit/verify.js';

// Three sessions, interleaved irregularly, as several mcp-guard processes appending to one file.
const PATTERN = ['A', 'A', 'B', 'C', 'A', 'B', 'B', 'C', 'C', 'A', 'B', 'C'] as const;
let dir: string;
let original: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-verify-'));
  const file = join(dir, 'audit.jsonl');
  const logs = {
    A: await openAuditLog({ file, bodies: false }, { session: 'session-a' }),
    B: await openAuditLog({ file, bodies: false }, { session: 'session-b' }),
    C: await openAuditLog({ file, bodies: false }, { session: 'session-c' }),
  };
  const counts = { A: 0, B: 0, C: 0 };
  for (const name of PATTERN) {
    counts[name] += 1;
    logs[name].record(
      `server-${name}`,
      rpcRequest({ method: `m-${name}-${counts[name]}`, id: counts[name] }),
    );
  }
  for (const log of Object.values(logs)) log.close();
  original = readFileSync(file, 'utf8').split('\n').slice(0, -1);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The 0-based index in `original` of session `name`'s record `seq`. */
function at(name: 'A' | 'B' | 'C', seq: number): number {
  let seen = 0;
  const index = PATTERN.findIndex((n) => n === name && ++seen === seq);
  assert.notEqual(index, -1);
  return index;
}

/** Recomputes a line's hash after an edit, as a forger would. */
function rehash(line: string): string {
  const prefix = line.slice(0, line.lastIndexOf(',"hash":"'));
  return `${prefix},"hash":"${createHash('sha256').update(prefix).digest('hex')}"}`;
}

const text = (lines: string[]): string => lines.map((line) => `${line}\n`).join('');

function move(lines: string[], from: number, to: number): string[] {
  const copy = [...lines];
  const [line] = copy.splice(from, 1);
  copy.splice(to, 0, line as string);
  return copy;
}

interface Case {
  name: string;
  tamper: (lines: string[]) => string;
  /** Expected problems as [kind, 1-based line]; the line of a reorder may be any of `lines`. */
  want: [AuditProblem['kind'], number | number[]][];
}

const CASES: Case[] = [
  { name: 'intact', tamper: text, want: [] },
  {
    name: 'adjacent records of different sessions swapped (interleaving is free)',
    tamper: (l) => text(move(l, at('A', 2), at('A', 2) + 1)),
    want: [],
  },
  { name: 'CRLF line ends', tamper: (l) => l.map((line) => `${line}\r\n`).join(''), want: [] },
  {
    name: 'a field edited',
    tamper: (l) =>
      text(l.map((line, i) => (i === at('B', 2) ? line.replace('"m-B-2"', '"m-evil"') : line))),
    want: [['hash-mismatch', at('B', 2) + 1]],
  },
  {
    name: 'a field edited and the record re-hashed',
    tamper: (l) =>
      text(
        l.map((line, i) => (i === at('B', 2) ? rehash(line.replace('"m-B-2"', '"m-evil"')) : line)),
      ),
    want: [['broken-link', at('B', 3) + 1]],
  },
  {
    name: 'a line deleted',
    tamper: (l) => text(l.filter((_, i) => i !== at('B', 2))),
    want: [['gap', at('B', 3)]],
  },
  {
    name: "a session's first line deleted",
    tamper: (l) => text(l.filter((_, i) => i !== at('C', 1))),
    want: [['gap', at('C', 2)]],
  },
  {
    name: 'two records of one session swapped',
    tamper: (l) => {
      const copy = [...l];
      [copy[at('B', 2)], copy[at('B', 3)]] = [l[at('B', 3)] as string, l[at('B', 2)] as string];
      return text(copy);
    },
    want: [['reorder', [at('B', 2) + 1, at('B', 3) + 1]]],
  },
  {
    name: "a session's first record moved to the end",
    tamper: (l) => text(move(l, at('A', 1), l.length - 1)),
    want: [['reorder', PATTERN.length]],
  },
  {
    name: 'a line cut in half',
    tamper: (l) =>
      text(l.map((line, i) => (i === at('C', 2) ? line.slice(0, line.length / 2) : line))),
    want: [['unparseable', at('C', 2) + 1]],
  },
  {
    name: 'the last line cut off',
    tamper: (l) => text(l).slice(0, -40),
    want: [['truncated', PATTERN.length]],
  },
  {
    name: 'junk text appended',
    tamper: (l) => `${text(l)}hello\n`,
    want: [['unparseable', PATTERN.length + 1]],
  },
  {
    name: 'JSON junk appended',
    tamper: (l) => `${text(l)}{"event":"rpc.request"}\n`,
    want: [['not-a-record', PATTERN.length + 1]],
  },
  { name: 'an empty line inserted', tamper: (l) => text(['', ...l]), want: [['unparseable', 1]] },
  {
    name: 'a line duplicated',
    tamper: (l) =>
      text([...l.slice(0, at('A', 2) + 1), l[at('A', 2)] as string, ...l.slice(at('A', 2) + 1)]),
    want: [['duplicate', at('A', 2) + 2]],
  },
  {
    name: 'a forged record with an existing seq inserted',
    tamper: (l) => {
      const forged = rehash((l[at('A', 2)] as string).replace('"m-A-2"', '"m-forged"'));
      return text([...l, forged]);
    },
    want: [['fork', PATTERN.length + 1]],
  },
  {
    name: "a session's last record deleted (a missing tail cannot be detected)",
    tamper: (l) => text(l.filter((_, i) => i !== at('A', 4))),
    want: [],
  },
];

void test('verify finds each kind of tampering, on the right line, and nothing else', () => {
  for (const c of CASES) {
    const result = verifyAuditLog(Buffer.from(c.tamper(original), 'utf8'));
    const report = result.problems.map(formatProblem).join('\n');
    assert.equal(result.problems.length, c.want.length, `${c.name}: problems were\n${report}`);
    result.problems.forEach((problem, i) => {
      const [kind, line] = c.want[i] as [AuditProblem['kind'], number | number[]];
      assert.equal(problem.kind, kind, `${c.name}: ${report}`);
      assert.ok(
        (Array.isArray(line) ? line : [line]).includes(problem.line),
        `${c.name}: ${report}`,
      );
    });
    assert.equal(result.ok, c.want.length === 0, c.name);
  }
});

void test('problems name the session and what happened', () => {
  const deleted = verifyAuditLog(text(original.filter((_, i) => i !== at('B', 2))));
  assert.equal(deleted.problems[0]?.session, 'session-b');
  assert.match(deleted.problems[0]?.message ?? '', /seq 2 is missing/);
  const first = verifyAuditLog(text(original.filter((_, i) => i !== at('C', 1))));
  assert.match(first.problems[0]?.message ?? '', /rotated/);
  const cut = verifyAuditLog(
    text(original.map((l, i) => (i === at('C', 2) ? l.slice(0, 150) : l))),
  );
  assert.equal(cut.problems[0]?.session, 'session-c', 'a cut line still names its session');
});

void test('counts sessions and records; text, bytes and lines give one verdict', () => {
  const inputs = [text(original), Buffer.from(text(original)), original, [...original, '']];
  for (const input of inputs) {
    const result = verifyAuditLog(input);
    assert.deepEqual([result.ok, result.sessions, result.records], [true, 3, PATTERN.length]);
  }
  assert.deepEqual(verifyAuditLog(''), {
    ok: true,
    sessions: 0,
    records: 0,
    problems: [],
    unended: [],
  });
});

void test('invalid UTF-8 in a line is unparseable', () => {
  const bytes = Buffer.concat([Buffer.from(text(original)), Buffer.from([0xff, 0xfe, 0x0a])]);
  const result = verifyAuditLog(bytes);
  assert.deepEqual(
    result.problems.map((p) => [p.kind, p.line]),
    [['unparseable', PATTERN.length + 1]],
  );
});
