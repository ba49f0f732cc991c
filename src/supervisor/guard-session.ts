/**
 * One guarded server behind one client: the relay, the server process and the audit trail, and
 * how the session ends (client EOF, a signal, the server exiting, or a server that never started).
 * `run` and `up` both go through here.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { ServerConfig } from '../config/types.js';
import { LineFramer } from '../protocol/framing.js';
import type { Pipeline } from '../policy/pipeline.js';
import type { AuditSink } from '../relay/audit-sink.js';
import { Relay } from '../relay/relay.js';
import { maskEnvValues } from './mask-env.js';
import type { ChildExit, ServerProcess, StopReason } from './server-process.js';

export type SessionState = 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';
export type EndReason = 'client-eof' | 'signal' | 'server-exit' | 'spawn-failed' | 'client-gone';

export interface SessionEnd {
  reason: EndReason;
  exit: ChildExit | null;
  exitCode: 0 | 1;
}

export interface GuardSessionOptions {
  server: ServerConfig;
  client: { input: Readable; output: Writable };
  audit: AuditSink;
  pipeline: Pipeline;
  /** The started process, or why it could not start. */
  process: ServerProcess | Error;
  /** Where the server's stderr lines are echoed (besides the audit log). */
  stderr: Writable | null;
  /** mcp-guard's own environment, whose values are kept out of the audit log. */
  hostEnv?: NodeJS.ProcessEnv;
  /** Prefix for echoed stderr lines (`up` names the server; `run` passes lines as they are). */
  stderrPrefix?: string;
}

/** Longest stderr line kept whole; longer ones are cut (the audit log keeps less). */
const STDERR_LINE_BYTES = 64 * 1024;
const AUDIT_STDERR_CHARS = 4096;
/** After the process group is gone, how long its stdout may take to deliver what it wrote. */
const DRAIN_MS = 500;

export class GuardSession {
  readonly relay: Relay;
  readonly server: ServerConfig;
  readonly process: ServerProcess | null;
  state: SessionState = 'starting';
  readonly ended: Promise<SessionEnd>;
  readonly #options: GuardSessionOptions;
  #stopping: Promise<SessionEnd> | null = null;
  #resolveEnd!: (end: SessionEnd) => void;

  constructor(options: GuardSessionOptions) {
    this.#options = options;
    this.server = options.server;
    this.ended = new Promise((resolve) => (this.#resolveEnd = resolve));
    this.relay = new Relay({
      server: options.server.name,
      client: options.client,
      maxMessageBytes: options.server.limits.maxMessageBytes,
      audit: options.audit,
      pipeline: options.pipeline,
    });
    this.relay.on('client-end', () => void this.stop('eof'));
    this.relay.on('client-gone', () => void this.stop('signal', 'client-gone'));
    if (options.process instanceof Error) {
      this.process = null;
      this.#startFailed(options.process);
    } else {
      this.process = options.process;
      this.#attach(options.process);
    }
  }

  /** Stops the server (see ServerProcess.stop) and ends the session. Idempotent. */
  stop(reason: StopReason, why?: EndReason): Promise<SessionEnd> {
    if (this.#stopping !== null) return this.#stopping;
    this.state = 'stopping';
    const endReason: EndReason = why ?? (reason === 'eof' ? 'client-eof' : 'signal');
    this.#stopping = this.#finish(endReason, async () =>
      this.process === null ? null : this.process.stop(reason),
    );
    return this.#stopping;
  }

  #startFailed(err: Error): void {
    this.state = 'failed';
    this.#options.audit.record(this.server.name, 'child.failed', { reason: err.message }, 'error');
    this.relay.setUnavailable({ state: 'failed', reason: err.message });
  }

  #attach(proc: ServerProcess): void {
    const { audit } = this.#options;
    audit.record(this.server.name, 'child.spawn', {
      pid: proc.pid,
      command: maskEnvValues(
        [this.server.command],
        this.server.env,
        this.#options.hostEnv ?? process.env,
      )[0],
      args: maskEnvValues(this.server.args, this.server.env, this.#options.hostEnv ?? process.env),
      cwd: this.server.cwd,
    });
    this.#pipeStderr(proc.child.stderr);
    this.relay.attachServer({ input: proc.child.stdout, output: proc.child.stdin });
    this.state = 'ready';
    void proc.exited.then(() => {
      if (this.#stopping === null) {
        this.state = 'stopping';
        this.#stopping = this.#finish('server-exit', () => proc.stop('signal'));
      }
    });
  }

  async #finish(
    reason: EndReason,
    stopProcess: () => Promise<ChildExit | null>,
  ): Promise<SessionEnd> {
    const exit = await stopProcess();
    const proc = this.process;
    if (proc !== null && exit !== null) {
      await drained(proc.child.stdout, DRAIN_MS);
      this.#options.audit.record(this.server.name, 'child.exit', {
        pid: proc.pid,
        code: exit.code,
        signal: exit.signal,
        forced: exit.forced,
        uptimeMs: exit.uptimeMs,
      });
      this.relay.detachServer(
        exit.signal === null ? `exited with code ${exit.code}` : `terminated by ${exit.signal}`,
      );
    }
    const failed = reason === 'spawn-failed' || (reason === 'server-exit' && exit?.code !== 0);
    this.state = proc === null ? 'failed' : 'stopped';
    const end: SessionEnd = {
      reason: proc === null ? 'spawn-failed' : reason,
      exit,
      exitCode: failed || proc === null ? 1 : 0,
    };
    this.#resolveEnd(end);
    return end;
  }

  #pipeStderr(stderr: Readable): void {
    const { audit } = this.#options;
    const echo = this.#options.stderr;
    const prefix = this.#options.stderrPrefix ?? '';
    const framer = new LineFramer(STDERR_LINE_BYTES, (frame) => {
      const text =
        frame.kind === 'line'
          ? frame.bytes.toString('utf8')
          : `${frame.head.toString('utf8')}… (${frame.size} bytes)`;
      audit.record(this.server.name, 'child.stderr', { text: text.slice(0, AUDIT_STDERR_CHARS) });
      echo?.write(`${prefix}${text}\n`);
    });
    stderr.on('data', (chunk: Buffer) => framer.push(chunk));
    stderr.on('end', () => framer.end());
    stderr.on('error', () => undefined);
  }
}

/** Resolves when the stream has ended, or after `ms` if something still holds it open. */
async function drained(stream: Readable, ms: number): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  const timer = new Promise((resolve) => setTimeout(resolve, ms).unref());
  await Promise.race([once(stream, 'end').catch(() => undefined), once(stream, 'close'), timer]);
}
