/**
 * A child's stderr, line by line: what `run`, `up` and `pin` echo and audit, and what `prepare`
 * echoes while a server downloads. A line longer than 64 KiB is cut, and its size noted. The echo
 * never waits on whoever reads mcp-guard's stderr: a client that does not read it gets lines
 * dropped past a backlog of 1 MiB (and one line saying how many once it reads again), while the
 * audit log keeps every line.
 */
import type { Readable, Writable } from 'node:stream';
import type { AuditSink } from '../audit/audit-sink.js';
import { LineFramer } from '../protocol/framing.js';
import { childStderr } from '../audit/event-constructors.js';

/** Longest stderr line kept whole; longer ones are cut (the audit log keeps less). */
const STDERR_LINE_BYTES = 64 * 1024;
const AUDIT_STDERR_CHARS = 4096;
/** Echoed bytes that may wait for a reader of mcp-guard's stderr; past this, lines are dropped. */
export const ECHO_BACKLOG_BYTES = 1024 * 1024;

/** Calls `onLine` with each line of `stderr` (without its newline), the last one at its end. */
export function readStderrLines(stderr: Readable, onLine: (text: string) => void): void {
  const framer = new LineFramer(STDERR_LINE_BYTES, (frame) => {
    onLine(
      frame.kind === 'line'
        ? frame.bytes.toString('utf8')
        : `${frame.head.toString('utf8')}… (${frame.size} bytes)`,
    );
  });
  stderr.on('data', (chunk: Buffer) => framer.push(chunk));
  stderr.on('end', () => framer.end());
  stderr.on('error', () => undefined);
}

export interface StderrTarget {
  audit: AuditSink;
  server: string;
  /** Where lines are echoed, if anywhere. */
  echo: Writable | null;
  /** Put before each echoed line (`up` names the server). */
  prefix: string;
  /** Also called with each line (the session reads it for failures that name their fix). */
  onLine?: (text: string) => void;
}

/** Audits each line of a guarded server's stderr (`child.stderr`) and echoes it. */
export function pipeStderr(stderr: Readable, target: StderrTarget): void {
  const echo = target.echo === null ? null : boundedEcho(target.echo, target.prefix);
  readStderrLines(stderr, (text) => {
    target.audit.record(target.server, childStderr(text.slice(0, AUDIT_STDERR_CHARS)));
    echo?.(text);
    target.onLine?.(text);
  });
}

/**
 * pipeStderr, and when the stream's last bytes came (`now()` then; 0 before any): a sign of life
 * the health checks count (health.ts).
 */
export function watchStderr(
  stderr: Readable,
  target: StderrTarget,
  now: () => number,
): () => number {
  let last = 0;
  stderr.on('data', () => (last = now()));
  pipeStderr(stderr, target);
  return () => last;
}

/** Writes lines to `out` while its backlog is under ECHO_BACKLOG_BYTES, counting those dropped. */
export function boundedEcho(out: Writable, prefix: string): (text: string) => void {
  let dropped = 0;
  const sayDropped = () => {
    out.write(
      `${prefix}mcp-guard: ${dropped} ${dropped === 1 ? 'line' : 'lines'} of the server's stderr not echoed (nothing was reading mcp-guard's stderr); the audit log has them\n`,
    );
    dropped = 0;
  };
  return (text) => {
    if (out.writableLength >= ECHO_BACKLOG_BYTES) {
      if (dropped === 0) out.once('drain', sayDropped);
      dropped += 1;
      return;
    }
    out.write(`${prefix}${text}\n`);
  };
}
