/**
 * The audit log writer: pino's serialiser (and lean-line.ts's for the hot events), written
 * synchronously (nothing buffered, nothing lost on a crash), each record whole in one write(2)
 * on an O_APPEND descriptor so several mcp-guard processes can share one file, and a SHA-256
 * chain per session (see chain.ts, docs/audit.md).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { AuditConfig } from '../config/types.js';
import { GuardError } from '../errors.js';
import { AnchorWriter } from './anchor.js';
import { ChainedAuditLog, type AuditOutput } from './chained-audit-log.js';
import type { SecretsLookup } from './scrub-record.js';
import type { AuditEvent } from './events.js';
import { isoTimeOncePerMillisecond } from './timestamp.js';

export type { AuditLevel } from './events.js';

/** Why: the one interface every component writes its audit events through. */
export interface AuditLog {
  /** One id per mcp-guard process (per opened log). */
  readonly session: string;
  /**
   * Writes one record synchronously (one write(2), O_APPEND) before returning: the event's fields
   * that the catalogue lists, in its order (an undefined one is left out). A failed write goes to
   * `onError` (default: thrown as ERR_AUDIT); records after `close()` are dropped.
   */
  record(server: string, event: AuditEvent): void;
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
  /**
   * What to keep out of each server's records: its environment values and its output
   * redaction (scrub-record.ts). Without it, records are written as given.
   */
  secrets?: SecretsLookup;
  /**
   * The HTTP client (`address:port`) this log's session serves (`up --http`): every record
   * carries it as `remote`, after `session`.
   */
  remote?: string;
}

/** A write that cannot be taken at once is dropped (and reported) beyond this many bytes. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Why: a session id that is unique across every process appending to one file (64 random bits). */
export function createSessionId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Why: the file the log appends to, written directly: each text whole in one write(2) on an
 * O_APPEND descriptor (a short write, which only a full disk makes, is finished by more); a
 * failure throws, and the log reports it. sonic-boom, in its synchronous mode, encoded every
 * text a second time after writing it, to account for a partial write: 0.5–1 µs a write.
 */
function openFileOutput(file: string): AuditOutput {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a', 0o600);
  return {
    write(text) {
      const done = writeSync(fd, text);
      if (done === Buffer.byteLength(text)) return;
      const rest = Buffer.from(text).subarray(done);
      for (let at = 0; at < rest.length;) at += writeSync(fd, rest, at);
    },
    close: () => closeSync(fd),
  };
}

/** Async only because pino is imported lazily (it must stay off mcp-guard's startup critical path). */
export async function openAuditLog(
  config: AuditConfig,
  options: OpenAuditLogOptions = {},
): Promise<AuditLog> {
  // The default export: a bundled CommonJS module has no named exports (scripts/bundle.mjs).
  const { default: pino } = await import('pino');
  const session = options.session ?? createSessionId();
  const toStderr = config.file === '-';
  let destination: ReturnType<typeof pino.destination> | undefined;
  let output: AuditOutput;
  try {
    if (toStderr) {
      // stderr may be a non-blocking pipe: sonic-boom holds and retries what it cannot take.
      destination = pino.destination({ dest: 2, sync: true, maxLength: MAX_BUFFERED_BYTES });
      const stderr = destination;
      output = { write: (text) => void stderr.write(text), close: () => undefined };
    } else {
      output = openFileOutput(config.file);
    }
  } catch (err) {
    throw new GuardError(
      'ERR_AUDIT',
      `cannot open the audit log ${config.file}: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  // The anchor's failures are reported by the log (declared below; called only after it exists).
  const anchor =
    config.anchor === undefined || toStderr
      ? undefined
      : new AnchorWriter(config.anchor, config.file, (err) => log.anchorFailed(err));
  const log = new ChainedAuditLog(session, config, output, {
    onError: options.onError,
    secrets: options.secrets,
    anchor,
    remote: options.remote,
  });
  destination?.on('error', (err: unknown) => log.fail(err));
  destination?.on('drop', () =>
    log.fail(new Error('the record could not be written and was dropped')),
  );
  log.attach(createRecordLogger(pino, session, (line) => log.accept(line), options.remote));
  return log;
}

/**
 * Why: the one pino configuration of the log (level labels, `time`, the `session` and `remote` bindings, no
 * `msg`/`pid`/`hostname`); the lean serializer (lean-line.ts) is tested against it byte for byte.
 */
export function createRecordLogger(
  pino: typeof import('pino').pino,
  session: string,
  write: (line: string) => void,
  remote?: string,
): Logger {
  return pino(
    {
      level: 'debug',
      base: remote === undefined ? { session } : { session, remote },
      timestamp: isoTimeOncePerMillisecond,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write },
  );
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
