/**
 * The AuditLog behind openAuditLog: numbers and chains each record, hands its serialised line
 * (pino's, or the lean serializer's for the relay's hot events) its hash member, and writes it —
 * at once, or, while corked, together with the other records of the batch in one write at
 * uncork().
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ANCHOR_EVERY_MS, type AnchorWriter } from './anchor.js';
import type { AuditConfig } from '../config/types.js';
import { GuardError } from '../errors.js';
import type { AuditLog } from './audit-log.js';
import { FIELD_ORDER } from './record-shape.js';
import { ZERO_HASH, sealPrefix } from './chain.js';
import type { AuditEvent } from './events.js';
import { isLean, LeanSerializer } from './lean-line.js';
import { RecordScrubber, type SecretsLookup } from './scrub-record.js';
import { escapeJsonText } from './terminal-safe.js';
import { isoTimeOncePerMillisecond } from './timestamp.js';

/** Why: the synchronous file (or stderr) writer, kept apart so this class needs no pino import. */
export interface AuditOutput {
  /** Writes the text in one write(2); failures throw or arrive through `ChainedAuditLog.fail`. */
  write(text: string): void;
  close(): void;
}

/** Why: what a log may be given besides its output (audit-log.ts's options). */
export interface ChainedOptions {
  onError?: ((err: GuardError) => void) | undefined;
  secrets?: SecretsLookup | undefined;
  /** Where the session seals its head (`audit.anchor`). */
  anchor?: AnchorWriter | undefined;
  /** ms, monotonic: when to seal again. */
  now?: () => number;
  /** The HTTP client this session serves (`up --http`), written on every record. */
  remote?: string | undefined;
}

/** Why: the chain state and batching of one session, shared by nothing else. */
export class ChainedAuditLog implements AuditLog {
  readonly session: string;
  readonly bodies: boolean;
  readonly #file: string;
  readonly #onError: ((err: GuardError) => void) | undefined;
  readonly #output: AuditOutput;
  readonly #secrets: SecretsLookup | undefined;
  readonly #scrubbers = new Map<string, RecordScrubber | null>();
  #logger: Logger | undefined;
  #seq = 0;
  #prev = ZERO_HASH;
  #sealed: string | undefined;
  #failure: unknown;
  #corked = 0;
  #pending: string[] = [];
  #closed = false;
  readonly #anchor: AnchorWriter | undefined;
  readonly #now: () => number;
  readonly #lean: LeanSerializer;
  /** The last record written to the output, and the last one held by cork(). */
  #head: { seq: number; hash: string } | undefined;
  #heldHead: { seq: number; hash: string } | undefined;
  #sealedAt: number | undefined;

  constructor(session: string, config: AuditConfig, output: AuditOutput, options: ChainedOptions) {
    this.session = session;
    this.#secrets = options.secrets;
    this.bodies = config.bodies;
    this.#file = config.file;
    this.#output = output;
    this.#onError = options.onError;
    this.#anchor = options.anchor;
    this.#now = options.now ?? (() => performance.now());
    this.#lean = new LeanSerializer(session, options.remote);
  }

  attach(logger: Logger): void {
    this.#logger = logger;
  }

  record(server: string, raw: AuditEvent): void {
    const logger = this.#logger;
    if (this.#closed || logger === undefined) return;
    const event = this.#scrubberFor(server)?.scrub(raw) ?? raw;
    if (isLean(event)) {
      this.#failure = undefined;
      const time = isoTimeOncePerMillisecond();
      this.#seal(this.#lean.prefix(event, time, this.#seq + 1, server, this.#prev), true);
      this.#seq += 1;
      this.#prev = this.#sealed!;
      if (this.#failure !== undefined) this.#report(this.#failure);
      return;
    }
    const entry: Record<string, unknown> = { seq: this.#seq + 1, server, event: event.name };
    // Only the catalogue's fields, in its order: nothing outside the documented schema is written.
    const fields = event.fields as Readonly<Record<string, unknown>>;
    for (const key of FIELD_ORDER[event.name]) {
      const value = fields[key];
      if (value !== undefined) entry[key] = value;
    }
    entry.prev = this.#prev;
    this.#sealed = undefined;
    this.#failure = undefined;
    try {
      logger[event.level](entry);
    } catch (err) {
      this.#failure ??= err;
    }
    if (this.#sealed !== undefined) {
      this.#seq += 1;
      this.#prev = this.#sealed;
    }
    if (this.#failure !== undefined) this.#report(this.#failure);
  }

  /** The server's scrubber, made on its first record; null when there is nothing to look for. */
  #scrubberFor(server: string): RecordScrubber | null {
    let scrubber = this.#scrubbers.get(server);
    if (scrubber === undefined) {
      const secrets = this.#secrets?.(server);
      const made = secrets === undefined ? null : new RecordScrubber(secrets);
      scrubber = made === null || made.idle ? null : made;
      this.#scrubbers.set(server, scrubber);
    }
    return scrubber;
  }

  /** pino's destination: seals the serialised record (`{…}\n`) and writes or holds it. */
  accept(line: string): void {
    const end = line.endsWith('}\n') ? line.length - 2 : line.lastIndexOf('}');
    this.#seal(line.slice(0, end), false);
  }

  /**
   * Seals a record's prefix with its hash and writes (or holds) the line. Characters that could
   * drive a terminal are written as JSON escapes, so the file itself is safe to print (`escaped`:
   * the lean serializer did that already).
   */
  #seal(prefix: string, escaped: boolean): void {
    const sealed = sealPrefix(escaped ? prefix : escapeJsonText(prefix));
    this.#sealed = sealed.hash;
    const line = `${sealed.line}\n`;
    const head = { seq: this.#seq + 1, hash: sealed.hash };
    if (this.#corked > 0) {
      this.#pending.push(line);
      this.#heldHead = head;
      return;
    }
    try {
      this.#output.write(line);
      this.#written(head);
    } catch (err) {
      this.#failure ??= err;
    }
  }

  /** A record is on disk: the anchor gets the head at the first one, then every ANCHOR_EVERY_MS. */
  #written(head: { seq: number; hash: string }): void {
    this.#head = head;
    if (this.#anchor === undefined) return;
    const now = this.#now();
    if (this.#sealedAt !== undefined && now - this.#sealedAt < ANCHOR_EVERY_MS) return;
    this.#sealedAt = now;
    this.#anchor.seal(this.session, head.seq, head.hash, false);
  }

  /** Receives the output's failures, which it reports synchronously inside a write. */
  fail(err: unknown): void {
    if (!this.#closed) this.#failure ??= err;
  }

  cork(): void {
    this.#corked += 1;
  }

  uncork(): void {
    if (this.#corked === 0) return;
    this.#corked -= 1;
    if (this.#corked === 0) this.#flush();
  }

  close(): void {
    if (this.#closed) return;
    this.#corked = 0;
    this.#flush();
    this.#closed = true;
    if (this.#anchor !== undefined && this.#head !== undefined) {
      this.#anchor.seal(this.session, this.#head.seq, this.#head.hash, true);
    }
    this.#anchor?.close();
    this.#output.close();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#failure = undefined;
    try {
      this.#output.write(text);
      if (this.#heldHead !== undefined) this.#written(this.#heldHead);
    } catch (err) {
      this.#failure ??= err;
    }
    this.#heldHead = undefined;
    if (this.#failure !== undefined) this.#report(this.#failure);
  }

  /** The anchor could not be written: reported like a failed write of the log. */
  anchorFailed(cause: unknown): void {
    const message = cause instanceof Error ? cause.message : String(cause);
    const err = new GuardError('ERR_AUDIT', message, { cause });
    if (this.#onError === undefined) throw err;
    this.#onError(err);
  }

  #report(cause: unknown): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const err = new GuardError(
      'ERR_AUDIT',
      `cannot write to the audit log ${this.#file}: ${reason}`,
      {
        cause,
      },
    );
    if (this.#onError === undefined) throw err;
    this.#onError(err);
  }
}
