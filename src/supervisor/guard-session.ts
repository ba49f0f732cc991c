/**
 * One guarded server behind one client, supervised (SPEC section 5): the relay, the current child
 * process, health pings, restarts with backoff, and the client's session carried across restarts.
 * `run` and `up` both go through here.
 *
 * The life of a child: spawned → attached to the relay (held, if the client's session must first
 * be replayed on it) → ready once `initialize` is answered → pinged every `health.interval` → gone
 * (exited, or killed as hung) → the restart policy decides: restart after a backoff, give up
 * (state `failed`: requests get -32052 at once, one more start every `backoff.max`), or stay
 * stopped (the session ends, as it would without mcp-guard).
 */
import { EventEmitter, once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import type { ServerConfig } from '../config/types.js';
import { LineFramer } from '../protocol/framing.js';
import type { Pipeline } from '../policy/pipeline.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { OwnRequestTimeout } from '../relay/own-requests.js';
import { Relay } from '../relay/relay.js';
import { FailureCount, judgePing, type ClockReading } from './health.js';
import { maskEnvValues } from './mask-env.js';
import { decideRestart, type Run } from './restart-policy.js';
import { replaySession, ReplayRefused } from './replay.js';
import type { ChildExit, ServerProcess, StopReason } from './server-process.js';
import {
  INITIAL_SERVER_STATE,
  isIllegalTransition,
  transition,
  type ServerEvent,
  type ServerState,
} from './server-state.js';

export type EndReason = 'client-eof' | 'signal' | 'server-exit' | 'client-gone';

export interface SessionEnd {
  reason: EndReason;
  /** The last child's exit, if a child was running when the session ended. */
  exit: ChildExit | null;
  exitCode: 0 | 1;
}

/** What `status` and `up` show about a server. */
export interface SessionSnapshot {
  server: string;
  state: ServerState;
  /** The current child's pid, if one is running. */
  pid: number | null;
  /** When the current child was spawned (epoch ms), if one is running: its uptime is now − this. */
  since: number | null;
  restarts: number;
  /** The last ping's round trip (ms) and when it was answered (epoch ms). */
  lastPing: { ms: number; at: number } | null;
  calls: number;
  denials: number;
  /** Why the server is restarting, failed or stopped, when it is. */
  reason: string | null;
}

export interface GuardSessionOptions {
  server: ServerConfig;
  client: { input: Readable; output: Writable };
  audit: AuditSink;
  pipeline: Pipeline;
  /** The first child, already started (spawning first keeps `run`'s startup short), or why not. */
  process: ServerProcess | Error;
  /** Starts a new child (restarts, retries while failed). */
  launch: () => Promise<ServerProcess>;
  /** Where the server's stderr lines are echoed (besides the audit log). */
  stderr: Writable | null;
  /** mcp-guard's own environment, whose values are kept out of the audit log. */
  hostEnv?: NodeJS.ProcessEnv;
  /** Prefix for echoed stderr lines (`up` names the server; `run` passes lines as they are). */
  stderrPrefix?: string;
  /** Uniform in [0, 1): the backoff's jitter (tests pass a constant). */
  random?: () => number;
}

/** Longest stderr line kept whole; longer ones are cut (the audit log keeps less). */
const STDERR_LINE_BYTES = 64 * 1024;
const AUDIT_STDERR_CHARS = 4096;
/** After the process group is gone, how long its stdout may take to deliver what it wrote. */
const DRAIN_MS = 500;
/** Runs kept for the restart policy's window (more than any sane maxRestarts). */
const HISTORY = 64;

interface SessionEvents {
  /** The state, the child, or a figure of the snapshot changed. */
  change: [];
}

export class GuardSession extends EventEmitter<SessionEvents> {
  readonly relay: Relay;
  readonly server: ServerConfig;
  readonly ended: Promise<SessionEnd>;
  #state: ServerState = INITIAL_SERVER_STATE;
  readonly #options: GuardSessionOptions;
  #proc: ServerProcess | null = null;
  /** performance.now() when the current child was spawned. */
  #procStartedAt = 0;
  /** The current child is being killed because health checks found it hung. */
  #hung = false;
  /** The current child must not be restarted: this is why (e.g. its protocol version changed). */
  #refused: string | null = null;
  readonly #runs: Run[] = [];
  #restarts = 0;
  #lastPing: { ms: number; at: number } | null = null;
  #reason: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopping: Promise<SessionEnd> | null = null;
  #resolveEnd!: (end: SessionEnd) => void;

  constructor(options: GuardSessionOptions) {
    super();
    this.#options = options;
    this.server = options.server;
    this.ended = new Promise((resolve) => (this.#resolveEnd = resolve));
    this.relay = new Relay({
      server: options.server.name,
      client: options.client,
      maxMessageBytes: options.server.limits.maxMessageBytes,
      audit: options.audit,
      pipeline: options.pipeline,
      callTimeout: options.server.limits.callTimeout,
      state: () => this.#state,
    });
    this.relay.on('client-end', () => void this.stop('eof'));
    this.relay.on('client-gone', () => void this.stop('signal', 'client-gone'));
    this.relay.on('handshake', () => {
      if (this.#proc !== null && this.relay.serverAccepting) this.#ready();
    });
    if (options.process instanceof Error) this.#spawnFailed(options.process);
    else this.#attach(options.process);
  }

  get state(): ServerState {
    return this.#state;
  }

  /** The current child process, if one is running. */
  get process(): ServerProcess | null {
    return this.#proc;
  }

  snapshot(): SessionSnapshot {
    const proc = this.#proc;
    return {
      server: this.server.name,
      state: this.#state,
      pid: proc?.pid ?? null,
      since: proc === null ? null : Math.round(performance.timeOrigin + this.#procStartedAt),
      restarts: this.#restarts,
      lastPing: this.#lastPing,
      calls: this.relay.calls,
      denials: this.relay.denials,
      reason: this.#reason,
    };
  }

  /** Stops the server (see ServerProcess.stop) and ends the session. Idempotent. */
  stop(reason: StopReason, why?: EndReason): Promise<SessionEnd> {
    if (this.#stopping !== null) return this.#stopping;
    // A server that never started is `failed` too (see #spawnFailed).
    const failed = this.#state === 'failed';
    this.#move('stop-requested');
    this.#clearTimer();
    const proc = this.#proc;
    this.#stopping = (async () => {
      let exit: ChildExit | null = null;
      if (proc !== null) {
        exit = await proc.stop(reason);
        await drained(proc.child.stdout, DRAIN_MS);
        this.#recordExit(proc, exit);
        this.#proc = null;
      }
      this.relay.detachServer(exit === null ? 'mcp-guard is stopping' : describeExit(exit));
      this.relay.setUnavailable({ state: 'stopping', reason: 'mcp-guard is stopping' });
      this.#move('exited');
      return this.#end({
        reason: why ?? (reason === 'eof' ? 'client-eof' : 'signal'),
        exit,
        exitCode: failed ? 1 : 0,
      });
    })();
    return this.#stopping;
  }

  #end(end: SessionEnd): SessionEnd {
    this.relay.close();
    this.#resolveEnd(end);
    this.emit('change');
    return end;
  }

  /** Applies an event to the state machine; audits and announces a change of state. */
  #move(event: ServerEvent): void {
    const next = transition(this.#state, event);
    if (isIllegalTransition(next)) return;
    if (next === this.#state) return;
    const from = this.#state;
    this.#state = next;
    this.#options.audit.record(this.server.name, 'server.state', { from, to: next, cause: event });
    this.emit('change');
  }

  #spawnFailed(err: Error): void {
    const reason = err.message;
    this.#reason = reason;
    this.#options.audit.record(this.server.name, 'child.failed', { reason }, 'error');
    this.#move('exited');
    this.#move('gave-up');
    this.relay.setUnavailable({ state: 'failed', reason });
    this.#schedule(this.server.restart.backoff.max);
  }

  #attach(proc: ServerProcess): void {
    const { audit } = this.#options;
    const hostEnv = this.#options.hostEnv ?? process.env;
    this.#proc = proc;
    this.#procStartedAt = performance.now();
    this.#hung = false;
    this.#refused = null;
    audit.record(this.server.name, 'child.spawn', {
      pid: proc.pid,
      command: maskEnvValues([this.server.command], this.server.env, hostEnv)[0],
      args: maskEnvValues(this.server.args, this.server.env, hostEnv),
      cwd: this.server.cwd,
      ...(this.#restarts === 0 ? {} : { restarts: this.#restarts }),
    });
    this.#pipeStderr(proc.child.stderr);
    // The client's session is replayed only once its handshake has completed; before that, its
    // own `initialize` (queued, or retried if it was in flight) goes to the new child as it is.
    const replay = this.relay.memory.protocolVersion !== undefined;
    this.relay.attachServer(
      { input: proc.child.stdout, output: proc.child.stdin },
      { held: replay },
    );
    this.#move('spawned');
    if (!replay && this.#state === 'failed') {
      // A retry while failed, with no session to replay: the client's requests may try it.
      this.relay.setUnavailable(null);
      this.relay.release();
    }
    this.emit('change');
    void proc.exited.then((exit) => this.#onExit(proc, exit));
    if (replay) void this.#replay(proc);
  }

  async #replay(proc: ServerProcess): Promise<void> {
    const timeoutMs = Math.min(
      this.server.limits.callTimeout,
      Math.max(this.server.health.timeout, 30_000),
    );
    try {
      const changed = await replaySession(this.relay, timeoutMs);
      if (proc !== this.#proc || this.#stopping !== null) return;
      this.#options.audit.record(this.server.name, 'session.replay', {
        pid: proc.pid,
        listsChanged: changed,
      });
      this.relay.release();
      for (const kind of changed) {
        this.relay.notifyClient(`notifications/${kind}/list_changed`);
      }
      this.#ready();
    } catch (err) {
      if (proc !== this.#proc || this.#stopping !== null) return;
      const reason = (err as Error).message;
      this.#options.audit.record(
        this.server.name,
        'session.replay',
        { pid: proc.pid, failed: reason },
        'warn',
      );
      if (err instanceof ReplayRefused) {
        this.#refused = reason;
        this.#options.stderr?.write(
          `${this.#options.stderrPrefix ?? ''}mcp-guard: server '${this.server.name}' cannot resume the session: ${reason}\n`,
        );
      }
      void proc.stop('signal');
    }
  }

  #ready(): void {
    this.#reason = null;
    if (this.#state === 'failed') this.relay.setUnavailable(null);
    this.#move('handshake-ok');
    this.#schedulePing();
  }

  async #onExit(proc: ServerProcess, exit: ChildExit): Promise<void> {
    if (this.#stopping !== null || proc !== this.#proc) return;
    this.#clearTimer();
    // The child is gone, but its group may not be (grandchildren); and what it wrote last is
    // still relayed before its requests are answered for it.
    await proc.stop('signal');
    await drained(proc.child.stdout, DRAIN_MS);
    if (this.#stopping !== null) return;
    this.#recordExit(proc, exit);
    this.#proc = null;
    const now = performance.now();
    const run: Run = {
      startedAt: this.#procStartedAt,
      endedAt: now,
      code: exit.code,
      signal: exit.signal,
      end: this.#hung ? 'hung' : 'exited',
    };
    const wasFailed = this.#state === 'failed';
    const decision =
      this.#refused !== null
        ? ({ action: 'give-up', reason: this.#refused } as const)
        : decideRestart({
            restart: this.server.restart,
            exited: run,
            earlier: this.#runs,
            failed: wasFailed,
            now,
            random: this.#options.random ?? Math.random,
          });
    this.#runs.push(run);
    if (this.#runs.length > HISTORY) this.#runs.shift();
    const why = this.#hung ? 'it stopped answering health checks' : describeExit(exit);
    switch (decision.action) {
      case 'stay-stopped': {
        this.relay.detachServer(why);
        this.#reason = decision.reason;
        this.#move('exited');
        this.#move('no-restart');
        this.relay.setUnavailable({ state: 'stopped', reason: decision.reason });
        const clean = exit.code === 0 && exit.signal === null && !this.#hung;
        this.#end({ reason: 'server-exit', exit, exitCode: clean ? 0 : 1 });
        return;
      }
      case 'restart': {
        this.relay.detachServer(why, { retry: true });
        this.#restarts += 1;
        this.#reason = why;
        this.#move('exited');
        this.#options.audit.record(
          this.server.name,
          'child.restart',
          { attempt: decision.attempt, delayMs: decision.delayMs, reason: why },
          'warn',
        );
        this.#schedule(decision.delayMs);
        return;
      }
      case 'give-up':
      case 'retry-failed': {
        // Idempotent requests in flight are answered as unavailable (-32052), like new ones.
        this.relay.detachServer(why, { retry: true });
        const reason = decision.action === 'give-up' ? decision.reason : why;
        this.#reason = reason;
        this.#move('exited');
        this.#move('gave-up');
        if (decision.action === 'give-up') {
          this.#options.audit.record(this.server.name, 'child.failed', { reason }, 'error');
        }
        this.relay.setUnavailable({ state: 'failed', reason });
        this.#schedule(this.server.restart.backoff.max);
        return;
      }
    }
  }

  /** Starts the next child after `delayMs` (a restart, or a retry while failed). */
  #schedule(delayMs: number): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#startNext();
    }, delayMs);
    // While failed, retries alone must not keep an ended process alive; a pending restart does.
    if (this.#state === 'failed') this.#timer.unref();
  }

  async #startNext(): Promise<void> {
    if (this.#stopping !== null) return;
    this.#move('restart-due');
    let proc: ServerProcess;
    try {
      proc = await this.#options.launch();
    } catch (err) {
      if (this.#stopping === null) this.#spawnFailed(err as Error);
      return;
    }
    if (this.#stopping !== null) {
      await proc.stop('signal');
      return;
    }
    this.#attach(proc);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedulePing(): void {
    this.#clearTimer();
    const proc = this.#proc;
    if (proc === null) return;
    const failures = new FailureCount(this.server.health.failures);
    const tick = (): void => {
      this.#timer = setTimeout(
        () => void this.#ping(proc, failures, tick),
        this.server.health.interval,
      );
      this.#timer.unref();
    };
    tick();
  }

  async #ping(proc: ServerProcess, failures: FailureCount, next: () => void): Promise<void> {
    this.#timer = null;
    if (proc !== this.#proc || this.#state !== 'ready') return;
    const timeoutMs = this.server.health.timeout;
    const relay = this.relay;
    const sent = readClocks();
    let busy = relay.inFlight > 0;
    let answered = true;
    try {
      await relay.request('ping', {}, timeoutMs);
    } catch (err) {
      // An error answer proves the server is alive; only silence counts.
      answered = !(err instanceof OwnRequestTimeout);
      if (!(err instanceof OwnRequestTimeout) && proc !== this.#proc) return;
    }
    if (proc !== this.#proc || this.#state !== 'ready') return;
    busy ||= relay.inFlight > 0;
    const judgement = judgePing({
      answered,
      sent,
      ended: readClocks(),
      timeoutMs,
      lastTraffic: relay.lastServerTraffic,
      busy,
    });
    if (judgement.verdict === 'ok') {
      this.#lastPing = { ms: judgement.latencyMs, at: Date.now() };
      this.emit('change');
    }
    const hung = failures.add(judgement);
    if (judgement.verdict === 'fail') {
      this.#options.audit.record(
        this.server.name,
        'health.fail',
        {
          pid: proc.pid,
          reason: judgement.reason,
          failures: failures.count,
          of: failures.failures,
        },
        'warn',
      );
    } else if (judgement.verdict === 'ignored' && judgement.reason.startsWith('clock jump')) {
      this.#options.audit.record(this.server.name, 'health.skip', { reason: judgement.reason });
    }
    if (hung) {
      this.#hung = true;
      this.#move('hung');
      void proc.stop('signal');
      return;
    }
    next();
  }

  #recordExit(proc: ServerProcess, exit: ChildExit): void {
    this.#options.audit.record(this.server.name, 'child.exit', {
      pid: proc.pid,
      code: exit.code,
      signal: exit.signal,
      forced: exit.forced,
      uptimeMs: exit.uptimeMs,
      ...(this.#hung ? { hung: true } : {}),
    });
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

function readClocks(): ClockReading {
  return { wall: Date.now(), mono: performance.now() };
}

function describeExit(exit: ChildExit): string {
  return exit.signal === null ? `exited with code ${exit.code}` : `terminated by ${exit.signal}`;
}

/** Resolves when the stream has ended, or after `ms` if something still holds it open. */
async function drained(stream: Readable, ms: number): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  const timer = new Promise((resolve) => setTimeout(resolve, ms).unref());
  await Promise.race([once(stream, 'end').catch(() => undefined), once(stream, 'close'), timer]);
}
