/**
 * The audit log writer: pino with a synchronous destination (nothing buffered, nothing lost on a
 * crash), one write(2) per record on an O_APPEND descriptor so several mcp-guard processes can
 * share one file, and a SHA-256 chain per session (see chain.ts and docs/audit.md).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { GuardError } from '../errors.js';
import type { AuditConfig } from '../config/types.js';
import { ZERO_HASH, sealPrefix } from './chain.js';

export type AuditLevel = 'debug' | 'info' | 'warn' | 'error';

/** Why: the one interface every component writes its audit events through. */
export interface AuditLog {
  /** One id per mcp-guard process (per opened log). */
  readonly session: string;
  /**
   * Writes one record synchronously (one write(2), O_APPEND) before returning. Field names that
   * clash with the record's own keys are written with a `_` prefix. A failed write goes to
   * `onError` (default: thrown as ERR_AUDIT); records after `close()` are dropped.
   */
  record(server: string, event: string, fields?: Record<string, unknown>, level?: AuditLevel): void;
  /** Whether message bodies may be logged (audit.bodies). */
  readonly bodies: boolean;
  close(): void;
}

/** Why: a caller on the relay path decides whether a failed audit write is fatal. */
export interface OpenAuditLogOptions {
  /** Defaults to a fresh random id. Two open logs must never share one. */
  session?: string;
  /** Called for each failed write; the chain moves on, so a lost record shows as a gap. */
  onError?: (err: GuardError) => void;
}

/** Keys the record itself owns; a field with one of these names is written as `_name`. */
const RESERVED = new Set(['level', 'time', 'session', 'seq', 'server', 'event', 'prev', 'hash']);

/** A write that cannot be taken at once is dropped (and reported) beyond this many bytes. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Why: a session id that is unique across every process appending to one file (64 random bits). */
export function createSessionId(): string {
  return randomBytes(8).toString('hex');
}

/** Async only because pino is imported lazily (it must stay off mcp-guard's startup critical path). */
export async function openAuditLog(
  config: AuditConfig,
  options: OpenAuditLogOptions = {},
): Promise<AuditLog> {
  const { pino } = await import('pino');
  const session = options.session ?? createSessionId();
  const toStderr = config.file === '-';
  let destination: ReturnType<typeof pino.destination>;
  try {
    destination = pino.destination(
      toStderr
        ? { dest: 2, sync: true, maxLength: MAX_BUFFERED_BYTES }
        : {
            dest: config.file,
            sync: true,
            append: true,
            mkdir: true,
            mode: 0o600,
            maxLength: MAX_BUFFERED_BYTES,
          },
    );
  } catch (err) {
    throw new GuardError(
      'ERR_AUDIT',
      `cannot open the audit log ${config.file}: ${describe(err)}`,
      {
        cause: err,
      },
    );
  }
  const log = new ChainedAuditLog(session, config, options.onError);
  destination.on('error', (err: unknown) => log.fail(err));
  destination.on('drop', () =>
    log.fail(new Error('the record could not be written and was dropped')),
  );
  const logger = pino(
    {
      level: 'debug',
      base: { session },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: (line) => log.seal(line) },
    },
    destination,
  );
  // Every write is synchronous, so nothing is buffered unless a write failed; sonic-boom's
  // flushSync would retry such a write forever, so closing just lets go of the descriptor.
  log.attach(logger, () => {
    if (!toStderr) destination.destroy();
  });
  return log;
}

/** A log that drops everything (tests, `check`). */
export function createNullAuditLog(): AuditLog {
  return {
    session: createSessionId(),
    bodies: false,
    record: () => undefined,
    close: () => undefined,
  };
}

class ChainedAuditLog implements AuditLog {
  readonly session: string;
  readonly bodies: boolean;
  readonly #file: string;
  readonly #onError: ((err: GuardError) => void) | undefined;
  #logger: Logger | undefined;
  #end: (() => void) | undefined;
  #seq = 0;
  #prev = ZERO_HASH;
  #sealed: string | undefined;
  #failure: unknown;
  #closed = false;

  constructor(session: string, config: AuditConfig, onError?: (err: GuardError) => void) {
    this.session = session;
    this.bodies = config.bodies;
    this.#file = config.file;
    this.#onError = onError;
  }

  attach(logger: Logger, end: () => void): void {
    this.#logger = logger;
    this.#end = end;
  }

  record(
    server: string,
    event: string,
    fields?: Record<string, unknown>,
    level: AuditLevel = 'info',
  ): void {
    const logger = this.#logger;
    if (this.#closed || logger === undefined) return;
    const entry: Record<string, unknown> = { seq: this.#seq + 1, server, event };
    if (fields !== undefined) {
      for (const key of Object.keys(fields)) {
        entry[RESERVED.has(key) ? `_${key}` : key] = fields[key];
      }
    }
    entry.prev = this.#prev;
    this.#sealed = undefined;
    this.#failure = undefined;
    try {
      logger[level](entry);
    } catch (err) {
      this.#failure ??= err;
    }
    if (this.#sealed !== undefined) {
      this.#seq += 1;
      this.#prev = this.#sealed;
    }
    if (this.#failure !== undefined) this.#report(this.#failure);
  }

  /** pino's streamWrite hook: appends the hash member to the serialised record. */
  seal(line: string): string {
    const end = line.endsWith('}\n') ? line.length - 2 : line.lastIndexOf('}');
    const sealed = sealPrefix(line.slice(0, end));
    this.#sealed = sealed.hash;
    return `${sealed.line}\n`;
  }

  /** Receives the destination's failures, which it reports synchronously inside a write. */
  fail(err: unknown): void {
    if (this.#closed) return;
    this.#failure ??= err;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#end?.();
  }

  #report(cause: unknown): void {
    const err = new GuardError(
      'ERR_AUDIT',
      `cannot write to the audit log ${this.#file}: ${describe(cause)}`,
      { cause },
    );
    if (this.#onError === undefined) throw err;
    this.#onError(err);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
