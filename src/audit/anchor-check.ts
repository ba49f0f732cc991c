/**
 * What the chain alone cannot see, checked against the anchor (anchor.ts): each session the
 * anchor sealed must still reach its seal — the record at the sealed seq present, with the sealed
 * hash. And each session's end: one whose last record is not `guard.stop` ended without closing
 * its log; with an anchor, whether that was a crash (nothing sealed is missing) or a cut tail
 * (records the anchor sealed are gone) can be told. Pure.
 */
import { readSeals, type AnchorSeal } from './anchor.js';
import type { AuditProblem } from './verify.js';

/** Why: what verify learnt of one session, for the checks below. */
export interface SessionSummary {
  session: string;
  /** The highest seq found, its line and its event. */
  lastSeq: number;
  lastLine: number;
  lastEvent: string;
  /** seq → hash of every record found. */
  hashes: Map<number, string>;
  /** `guard.start`'s `anchor` and `pid`, when that record is there. */
  anchorNamed?: string;
  pid?: number;
}

/** Why: the anchor as read by the CLI; `text` null when the file does not exist. */
export interface AnchorInput {
  path: string;
  text: string | null;
  /** The audit file the seals must name (absolute). */
  file: string;
}

/** A session that did not close its log. */
export interface UnendedSession {
  session: string;
  seq: number;
  line: number;
  pid?: number;
  /** `crash`: the anchor confirms nothing sealed is missing; `unknown`: no anchor can tell. */
  cause: 'crash' | 'unknown';
}

/** Why: the anchor's verdict for the `--verify` report. */
export interface AnchorReport {
  path: string;
  missing: boolean;
  /** Sessions of this audit file the anchor sealed. */
  sessions: number;
  /** Lines of the anchor that are not seals. */
  damaged: number;
}

export function checkAgainstAnchor(
  summaries: ReadonlyMap<string, SessionSummary>,
  anchor: AnchorInput | undefined,
): { problems: AuditProblem[]; unended: UnendedSession[]; report?: AnchorReport } {
  const problems: AuditProblem[] = [];
  const read =
    anchor === undefined || anchor.text === null
      ? { seals: new Map<string, AnchorSeal>(), damaged: 0 }
      : readSeals(anchor.text, anchor.file);
  const { seals } = read;
  if (anchor !== undefined && anchor.text === null) {
    problems.push({
      line: 0,
      kind: 'anchor-missing',
      message: `the anchor ${anchor.path} does not exist: it was deleted (or no session has written since audit.anchor was set)`,
    });
  }
  for (const seal of seals.values()) {
    const summary = summaries.get(seal.session);
    const where = { session: seal.session, seq: seal.seq };
    if (summary === undefined) {
      problems.push({
        line: 0,
        kind: 'deleted-session',
        message: `the anchor sealed this session up to seq ${seal.seq} at ${seal.time}, but none of its records is in the log: deleted (or the file was emptied or replaced)`,
        ...where,
      });
      continue;
    }
    const hash = summary.hashes.get(seal.seq);
    if (hash === undefined && summary.lastSeq < seal.seq) {
      problems.push({
        line: summary.lastLine,
        kind: 'deleted-tail',
        message: `the session ends at seq ${summary.lastSeq}, but the anchor sealed seq ${seal.seq} at ${seal.time}: records after this one were deleted`,
        ...where,
      });
    } else if (hash !== undefined && hash !== seal.hash) {
      problems.push({
        line: summary.lastLine,
        kind: 'rewritten',
        message: `seq ${seal.seq} does not have the hash the anchor sealed at ${seal.time}: the session was rewritten (and re-hashed)`,
        ...where,
      });
    }
  }
  if (anchor !== undefined) {
    for (const summary of summaries.values()) {
      if (summary.anchorNamed === anchor.path && !seals.has(summary.session)) {
        problems.push({
          line: summary.lastLine,
          kind: 'unsealed',
          message: `the session names the anchor ${anchor.path}, which holds no seal of it: the anchor was deleted, replaced or rolled back (or could not be written)`,
          session: summary.session,
          seq: summary.lastSeq,
        });
      }
    }
  }
  const unended: UnendedSession[] = [];
  for (const summary of summaries.values()) {
    if (summary.lastEvent === 'guard.stop') continue;
    const seal = seals.get(summary.session);
    const intact = seal !== undefined && !seal.end && summary.hashes.get(seal.seq) === seal.hash;
    unended.push({
      session: summary.session,
      seq: summary.lastSeq,
      line: summary.lastLine,
      ...(summary.pid === undefined ? {} : { pid: summary.pid }),
      cause: intact ? 'crash' : 'unknown',
    });
  }
  return {
    problems,
    unended,
    ...(anchor === undefined
      ? {}
      : {
          report: {
            path: anchor.path,
            missing: anchor.text === null,
            sessions: seals.size,
            damaged: read.damaged,
          },
        }),
  };
}
