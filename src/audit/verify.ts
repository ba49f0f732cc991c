/**
 * `mcp-guard logs --verify`: checks every session's hash chain in an audit file. Pure over the
 * file's contents. Sessions may be interleaved in any way; within a session the records must be
 * intact, numbered 1, 2, 3… in file order, each `prev` equal to the hash of the one before.
 */
import {
  checkAgainstAnchor,
  type AnchorInput,
  type AnchorReport,
  type SessionSummary,
  type UnendedSession,
} from './anchor-check.js';
import { splitLines, type AuditInput } from './lines.js';
import { checkLine, type ChainFields } from './record-line.js';
import { checkSessionChain } from './session-chain.js';
import { escapeForTerminal } from './terminal-safe.js';

export type AuditProblemKind =
  | 'unparseable'
  | 'not-a-record'
  | 'truncated'
  | 'hash-mismatch'
  | 'broken-link'
  | 'gap'
  | 'reorder'
  | 'fork'
  | 'duplicate'
  | 'anchor-missing'
  | 'deleted-session'
  | 'deleted-tail'
  | 'rewritten'
  | 'unsealed';

/** Why: each finding names the line (1-based; 0: no line, it is missing) and session. */
export interface AuditProblem {
  line: number;
  kind: AuditProblemKind;
  message: string;
  session?: string;
  seq?: number;
}

/** Why: the verdict plus what was looked at, for the `--verify` summary. */
export interface AuditVerifyResult {
  ok: boolean;
  sessions: number;
  records: number;
  problems: AuditProblem[];
  /** Sessions whose last record is not `guard.stop` (not a problem by itself). */
  unended: UnendedSession[];
  /** What the anchor held, when one was given. */
  anchor?: AnchorReport;
}

/** A record's place in its session's chain. */
export interface ChainLink extends ChainFields {
  line: number;
}

/** A line that could not be read but still names its session (and perhaps its seq). */
export interface DamagedLine {
  line: number;
  seq?: number;
}

/** Why: the one verifier, shared by the CLI and tests; it never throws on bad input. */
export function verifyAuditLog(input: AuditInput, anchor?: AnchorInput): AuditVerifyResult {
  const { lines, incompleteLast } = splitLines(input);
  const problems: AuditProblem[] = [];
  const chains = new Map<string, ChainLink[]>();
  const summaries = new Map<string, SessionSummary>();
  const damaged = new Map<string, DamagedLine[]>();
  let records = 0;
  lines.forEach((bytes, index) => {
    const line = index + 1;
    const check = checkLine(bytes);
    if (check.kind !== 'record') {
      const cutOff = incompleteLast && index === lines.length - 1;
      const { session, seq } = check;
      problems.push({
        line,
        kind: cutOff ? 'truncated' : check.kind,
        message: cutOff
          ? `the last line is incomplete (cut off, or still being written): ${check.message}`
          : check.message,
        ...(session === undefined ? {} : { session }),
        ...(seq === undefined ? {} : { seq }),
      });
      if (session !== undefined) {
        listFor(damaged, session).push(seq === undefined ? { line } : { line, seq });
      }
      return;
    }
    records += 1;
    const { fields } = check;
    if (!check.intact) {
      problems.push({
        line,
        kind: 'hash-mismatch',
        message: check.why ?? 'the record does not match its hash',
        session: fields.session,
        seq: fields.seq,
      });
    }
    listFor(chains, fields.session).push({ ...fields, line });
    summarise(summaries, fields, line, check.record);
  });
  for (const [session, links] of chains) {
    problems.push(...checkSessionChain(session, links, damaged.get(session) ?? []));
  }
  const anchored = checkAgainstAnchor(summaries, anchor);
  problems.push(...anchored.problems);
  problems.sort((a, b) => a.line - b.line);
  return {
    ok: problems.length === 0,
    sessions: chains.size,
    records,
    problems,
    unended: anchored.unended,
    ...(anchored.report === undefined ? {} : { anchor: anchored.report }),
  };
}

/** What the anchor check and the end-of-session note need of each record. */
function summarise(
  summaries: Map<string, SessionSummary>,
  fields: ChainFields,
  line: number,
  record: Record<string, unknown>,
): void {
  let summary = summaries.get(fields.session);
  if (summary === undefined) {
    summary = {
      session: fields.session,
      lastSeq: 0,
      lastLine: line,
      lastEvent: '',
      hashes: new Map(),
    };
    summaries.set(fields.session, summary);
  }
  if (!summary.hashes.has(fields.seq)) summary.hashes.set(fields.seq, fields.hash);
  if (fields.seq >= summary.lastSeq) {
    summary.lastSeq = fields.seq;
    summary.lastLine = line;
    summary.lastEvent = typeof record.event === 'string' ? record.event : '';
  }
  if (record.event === 'guard.start') {
    if (typeof record.anchor === 'string') summary.anchorNamed = record.anchor;
    if (typeof record.pid === 'number') summary.pid = record.pid;
  }
}

/**
 * Why: one human line per problem, the same in the CLI and in test failure messages; a session
 * id read from a damaged file is shown escaped, like all record text.
 */
export function formatProblem(problem: AuditProblem): string {
  const where = problem.session === undefined ? '' : ` session ${problem.session}`;
  const seq = problem.seq === undefined ? '' : ` seq ${problem.seq}`;
  return escapeForTerminal(
    `line ${problem.line}${where}${seq}: ${problem.kind}: ${problem.message}`,
  );
}

function listFor<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}
