/**
 * One session's chain, checked in three independent passes so that one tampering gives one
 * finding: copies and forks (a seq seen twice), links and gaps (by seq, whatever the file order),
 * and order (the records outside the longest in-order run were moved).
 */
import { ZERO_HASH } from './chain.js';
import type { AuditProblem, ChainLink, DamagedLine } from './verify.js';

/** Why: verify.ts hands each session's records, in file order, to this pure check. */
export function checkSessionChain(
  session: string,
  links: readonly ChainLink[],
  damaged: readonly DamagedLine[],
): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const report = (link: ChainLink, kind: AuditProblem['kind'], message: string): void => {
    problems.push({ line: link.line, kind, message, session, seq: link.seq });
  };
  const bySeq = new Map<number, ChainLink>();
  const unique: ChainLink[] = [];
  for (const link of links) {
    const first = bySeq.get(link.seq);
    if (first === undefined) {
      bySeq.set(link.seq, link);
      unique.push(link);
    } else if (first.hash === link.hash) {
      report(link, 'duplicate', `a copy of line ${first.line}`);
    } else {
      report(
        link,
        'fork',
        `a second record with this seq (the first is line ${first.line}): an inserted record, or two writers sharing one session id`,
      );
    }
  }

  let below = 0;
  for (const seq of [...bySeq.keys()].sort((a, b) => a - b)) {
    const link = bySeq.get(seq) as ChainLink;
    const pred = bySeq.get(seq - 1);
    if (seq === 1 && link.prev !== ZERO_HASH) {
      report(link, 'broken-link', 'the first record of a session must have prev = 64 zeros');
    } else if (pred !== undefined && link.prev !== pred.hash) {
      report(
        link,
        'broken-link',
        `prev is not the hash of seq ${pred.seq} (line ${pred.line}): one of the two was replaced`,
      );
    } else if (seq > 1 && pred === undefined && !explained(below + 1, seq - 1, damaged)) {
      report(link, 'gap', gapMessage(below + 1, seq - 1, damaged));
    }
    below = seq;
  }

  for (const link of outOfOrder(unique)) {
    const pred = bySeq.get(link.seq - 1);
    const next = bySeq.get(link.seq + 1);
    const where =
      pred !== undefined
        ? `: it belongs after seq ${pred.seq} (line ${pred.line})`
        : next !== undefined
          ? `: it belongs before seq ${next.seq} (line ${next.line})`
          : '';
    report(link, 'reorder', `out of order${where}`);
  }
  return problems;
}

/** All of `from..to` are lines already reported as unreadable, so no separate gap finding. */
function explained(from: number, to: number, damaged: readonly DamagedLine[]): boolean {
  for (let seq = from; seq <= to; seq += 1) {
    if (!damaged.some((line) => line.seq === seq)) return false;
  }
  return true;
}

function gapMessage(from: number, to: number, damaged: readonly DamagedLine[]): string {
  const what =
    from === to ? `record seq ${from} is missing` : `records seq ${from}–${to} are missing`;
  const why = from === 1 ? 'deleted, or the file was rotated' : 'deleted';
  const hint = damaged.find((line) => line.seq === undefined);
  return `${what} (${why})${hint === undefined ? '' : `; line ${hint.line} is an unreadable record of this session`}`;
}

/** The links outside one longest run of increasing seq (file order): the ones that were moved. */
function outOfOrder(links: readonly ChainLink[]): ChainLink[] {
  if (links.every((link, i) => i === 0 || link.seq > (links[i - 1] as ChainLink).seq)) return [];
  const tails: number[] = []; // tails[k]: index of the smallest last seq of a run of length k+1
  const back: number[] = new Array<number>(links.length).fill(-1);
  links.forEach((link, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((links[tails[mid] as number] as ChainLink).seq < link.seq) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) back[i] = tails[lo - 1] as number;
    tails[lo] = i;
  });
  const kept = new Set<number>();
  for (let i = tails.at(-1) ?? -1; i !== -1; i = back[i] as number) kept.add(i);
  return links.filter((_, i) => !kept.has(i));
}
