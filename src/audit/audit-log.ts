/**
 * The audit log writer: pino with a synchronous destination (nothing buffered, nothing lost on a
 * crash), each record whole in one write(2) on an O_APPEND descriptor so several mcp-guard
 * processes can share one file, and a SHA-256 chain per session (see chain.ts, docs/audit.md).
 */
import { randomBytes } from 'node:crypto';
import type { AuditConfig } from '../config/types.js';
import { GuardError } from '../errors.js';
import { ChainedAuditLog } from './chained-audit-log.js';

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
  /**
   * Holds records until the matching uncork(), which writes them all in one write(2): what one
   * relay batch produces costs one system call. Nests. The chain is unaffected.
   */
  cork(): void;
  uncork(): void;
  /** Writes anything held, then lets go of the file. */
  close(): void;
}

/** Why: a caller on the relay path decides whether a failed audit write is fatal. */
export interface OpenAuditLogOptions {
  /** Defaults to a fresh random id. Two open logs must never share one. */
  session?: string;
  /** Called for each failed write; the chain moves on, so a lost record shows as a gap. */
  onError?: (err: GuardError) => void;
}

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
      `cannot open the audit log ${config.file}: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  // Every write is synchronous, so sonic-boom holds nothing unless a write failed; its flushSync
  // would retry such a write forever, so closing just lets go of the descriptor.
  const output = {
    write: (text: string) => void destination.write(text),
    close: () => (toStderr ? undefined : destination.destroy()),
  };
  const log = new ChainedAuditLog(session, config, output, options.onError);
  destination.on('error', (err: unknown) => log.fail(err));
  destination.on('drop', () =>
    log.fail(new Error('the record could not be written and was dropped')),
  );
  const logger = pino(
    {
      level: 'debug',
      base: { session },
      timestamp: isoTimeOncePerMillisecond,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => log.accept(line) },
  );
  log.attach(logger);
  return log;
}

/** A log that drops everything (tests, `check`). */
export function createNullAuditLog(): AuditLog {
  return {
    session: createSessionId(),
    bodies: false,
    record: () => undefined,
    cork: () => undefined,
    uncork: () => undefined,
    close: () => undefined,
  };
}

let lastMillisecond = -1;
let lastTimestamp = '';

/**
 * Why: pino's isoTime formats a new Date for every record; under load many records share a
 * millisecond, and formatting was a measurable share of the relay's CPU.
 */
function isoTimeOncePerMillisecond(): string {
  const now = Date.now();
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastTimestamp = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTimestamp;
}
