/**
 * The chain's anchor outside the log (`audit.anchor`): a second file, out of every server's reach,
 * where each session seals its head — the seq and hash of the last record it wrote — when it
 * writes its first record, at least every ANCHOR_EVERY_MS while it writes, and when it closes
 * (`end: true`). A log cut short, emptied, stripped of a session or rewritten and re-hashed no
 * longer reaches the seals, and `logs --verify` says so (verify.ts). One JSON line per seal,
 * appended synchronously, like the log.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

/** How often a session that keeps writing seals its head. */
export const ANCHOR_EVERY_MS = 5000;

/** Why: one seal as written and as read back. */
export interface AnchorSeal {
  /** The audit file the seal is about (absolute). */
  file: string;
  session: string;
  seq: number;
  hash: string;
  time: string;
  /** The session closed its log after this record. */
  end: boolean;
}

/** Why: the log writes seals through this; failures go where the log's own failures go. */
export class AnchorWriter {
  readonly #anchor: string;
  readonly #file: string;
  readonly #onError: (err: unknown) => void;
  #fd: number | undefined;

  constructor(anchor: string, file: string, onError: (err: unknown) => void) {
    this.#anchor = anchor;
    this.#file = file;
    this.#onError = onError;
  }

  seal(session: string, seq: number, hash: string, end: boolean): void {
    const seal: AnchorSeal = {
      file: this.#file,
      session,
      seq,
      hash,
      time: new Date().toISOString(),
      end,
    };
    try {
      if (this.#fd === undefined) {
        mkdirSync(path.dirname(this.#anchor), { recursive: true });
        this.#fd = openSync(this.#anchor, 'a', 0o600);
      }
      writeSync(this.#fd, `${JSON.stringify(seal)}\n`);
    } catch (err) {
      this.#onError(
        new Error(`cannot write the anchor ${this.#anchor}: ${(err as Error).message}`, {
          cause: err,
        }),
      );
    }
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Why: the seals of one audit file, the latest per session; lines about other files are skipped. */
export function readSeals(
  text: string,
  file: string,
): { seals: Map<string, AnchorSeal>; damaged: number } {
  const seals = new Map<string, AnchorSeal>();
  let damaged = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const seal = parseSeal(line);
    if (seal === undefined) {
      damaged += 1;
      continue;
    }
    if (seal.file !== file) continue;
    const known = seals.get(seal.session);
    if (known === undefined || seal.seq >= known.seq) seals.set(seal.session, seal);
  }
  return { seals, damaged };
}

function parseSeal(line: string): AnchorSeal | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { file, session, seq, hash, time, end } = value as Record<string, unknown>;
  if (
    typeof file !== 'string' ||
    typeof session !== 'string' ||
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq < 1 ||
    typeof hash !== 'string' ||
    !HEX64.test(hash) ||
    typeof time !== 'string' ||
    typeof end !== 'boolean'
  ) {
    return undefined;
  }
  return { file, session, seq, hash, time, end };
}
