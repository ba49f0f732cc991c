/**
 * One guarded server behind one client, supervised (SPEC section 5): the relay, the current child
 * process, health pings, restarts with backoff, and the client's session carried across restarts.
 * `run` and `up` both go through here.
 *
 * The life of a child: spawned → attached to the relay (held, if the client's session must first
 * be resumed on it) → ready once the server answers the client (`initialize`, in the session era)
 * → pinged (session-health.ts) → gone (exited, or killed as hung) → restarts.ts decides: restart
 * after a backoff, give up (`failed`), or stay stopped (the session ends, as without mcp-guard).
 */
import { EventEmitter } from 'node:events';
import type { ServerConfig } from '../config/types.js';
import type { Relay } from '../relay/relay.js';
import { mustResume } from '../relay/session-memory.js';
import { systemClock, type Clock } from './clock.js';
import { relayProbe } from './health-monitor.js';
import { replayTimeout, resumeSession } from './replay.js';
import { CountLatch } from './count-latch.js';
import { Restarts } from './restarts.js';
import { SessionHealth } from './session-health.js';
import type { ChildExit, StopReason } from './server-process.js';
import type { ServerState } from './server-state.js';
import { SessionState } from './session-state.js';
import {
  createSessionRelay,
  stderrEcho,
  type EndReason,
  type GuardSessionOptions,
  type SessionEnd,
  type SessionEvents,
  type SessionSnapshot,
} from './session-types.js';
import {
  describeExit,
  drained,
  recordExit,
  recordSpawn,
  type SupervisedChild,
} from './supervised-child.js';
import { childFailed, childRestart } from '../audit/event-constructors.js';
import { HintWatch } from './fix-hints.js';

export type * from './session-types.js';

export class GuardSession extends EventEmitter<SessionEvents> {
  readonly relay: Relay;
  readonly server: ServerConfig;
  readonly ended: Promise<SessionEnd>;
  readonly #life: SessionState;
  readonly #options: GuardSessionOptions;
  readonly #clock: Clock;
  readonly #restarts: Restarts;
  readonly #health: SessionHealth;
  #proc: SupervisedChild | null = null;
  readonly #counts: CountLatch;
  /** What the current child's stderr showed that no restart can cure, until it is ready. */
  readonly #hints: HintWatch;
  #stopping: Promise<SessionEnd> | null = null;
  #resolveEnd!: (end: SessionEnd) => void;

  constructor(options: GuardSessionOptions) {
    super();
    this.#options = options;
    this.#hints = new HintWatch(options);
    this.server = options.server;
    this.#clock = options.clock ?? systemClock;
    this.#restarts = new Restarts(options.server.restart, this.#clock, options.random);
    const onChange = () => this.emit('change');
    this.#life = new SessionState(options.audit, options.server.name, onChange);
    this.#health = new SessionHealth({ ...options, clock: this.#clock, onChange });
    this.#counts = new CountLatch(onChange);
    this.ended = new Promise((resolve) => (this.#resolveEnd = resolve));
    const counted = () => this.#counts.counted();
    this.relay = createSessionRelay(options, () => this.#life.current, counted);
    this.relay.on('client-end', () => void this.stop('eof'));
    this.relay.on('client-gone', () => void this.stop('signal', 'client-gone'));
    this.relay.on('handshake', () => {
      if (this.#life.awaitsReady && this.#proc !== null && this.relay.serverAccepting)
        this.#ready();
    });
    if (options.process instanceof Error) this.#spawnFailed(options.process);
    else this.#attach(options.process);
  }

  get state(): ServerState {
    return this.#life.current;
  }

  /** The current child process, if one is running. */
  get process(): SupervisedChild | null {
    return this.#proc;
  }

  snapshot(): SessionSnapshot {
    this.#counts.shown();
    const proc = this.#proc;
    return {
      server: this.server.name,
      state: this.#life.current,
      pid: proc?.pid ?? null,
      since: proc === null ? null : Math.round(this.#clock.origin + this.#restarts.startedAt),
      restarts: this.#restarts.count,
      lastPing: this.#health.lastPing,
      calls: this.relay.calls,
      denials: this.relay.denials,
      usage: this.#health.usage,
      reason: this.#life.reason,
    };
  }

  /** Stops the server (see ServerProcess.stop) and ends the session. Idempotent. */
  stop(reason: StopReason, why?: EndReason): Promise<SessionEnd> {
    if (this.#stopping !== null) return this.#stopping;
    // A server that never started is `failed` too (see #spawnFailed).
    const failed = this.#life.current === 'failed';
    this.#life.move('stop-requested');
    this.#clearTimers();
    const proc = this.#proc;
    this.#stopping = (async () => {
      let exit: ChildExit | null = null;
      if (proc !== null) {
        exit = await proc.stop(reason);
        await drained(proc.child.stdout, this.#clock);
        recordExit(this.#options.audit, this.server.name, proc, exit, this.#restarts.kill);
        this.#proc = null;
      }
      this.relay.detachServer(exit === null ? 'mcp-guard is stopping' : describeExit(exit));
      this.relay.setUnavailable({ state: 'stopping', reason: 'mcp-guard is stopping' });
      this.#life.move('exited');
      return this.#end({
        reason: why ?? (reason === 'eof' ? 'client-eof' : 'signal'),
        exit,
        exitCode: failed ? 1 : 0,
      });
    })();
    return this.#stopping;
  }

  /** The child is still the one this session runs, and the session is not stopping. */
  #isCurrent(proc: SupervisedChild): boolean {
    return proc === this.#proc && this.#stopping === null;
  }

  #end(end: SessionEnd): SessionEnd {
    this.relay.close();
    this.#resolveEnd(end);
    this.emit('change');
    return end;
  }

  #spawnFailed(err: Error): void {
    const reason = err.message;
    this.#life.reason = reason;
    this.#options.audit.record(this.server.name, childFailed(reason));
    this.#life.move('exited');
    this.#fail(reason);
  }

  /** State `failed`: requests are answered unavailable at once, one more start every backoff.max. */
  #fail(reason: string): void {
    this.#life.move('gave-up');
    this.relay.setUnavailable({ state: 'failed', reason });
    this.#scheduleStart(this.server.restart.backoff.max);
  }

  #attach(proc: SupervisedChild): void {
    const { audit, hostEnv } = this.#options;
    this.#proc = proc;
    this.#restarts.started();
    recordSpawn(audit, this.server, proc, this.#restarts.count, hostEnv ?? process.env);
    this.#hints.clear();
    const onLine = (text: string) =>
      this.#hints.line(text, proc === this.#proc && this.#life.current !== 'ready');
    this.#health.attach(proc, { ...stderrEcho(this.#options), onLine }, (kill) => {
      this.#restarts.markKilled(kill);
      void proc.stop('signal');
    });
    // An open session is resumed first (replay.ts); else the client's requests go as they are.
    const replay = mustResume(this.relay.memory);
    this.relay.attachServer(
      { input: proc.child.stdout, output: proc.child.stdin },
      { held: replay },
    );
    this.#life.move('spawned');
    if (!replay && this.#life.current === 'failed') {
      // A retry while failed, with no session to replay: the client's requests may try it.
      this.relay.setUnavailable(null);
      this.relay.release();
    }
    this.emit('change');
    void proc.exited.then((exit) => this.#onExit(proc, exit));
    if (replay) void this.#replay(proc);
  }

  async #replay(proc: SupervisedChild): Promise<void> {
    const outcome = await resumeSession({
      relay: this.relay,
      timeoutMs: replayTimeout(this.server),
      audit: this.#options.audit,
      server: this.server.name,
      pid: proc.pid,
      isCurrent: () => this.#isCurrent(proc),
      ...stderrEcho(this.#options),
    });
    if (outcome === 'stale') return;
    if (outcome.resumed) return this.#ready();
    if (outcome.refused) this.#restarts.refuse(outcome.reason);
    void proc.stop('signal');
  }

  #ready(): void {
    this.#hints.clear();
    this.#life.reason = null;
    if (this.#life.current === 'failed') this.relay.setUnavailable(null);
    this.#life.move('handshake-ok');
    this.#monitorHealth();
  }

  async #onExit(proc: SupervisedChild, exit: ChildExit): Promise<void> {
    if (!this.#isCurrent(proc)) return;
    this.#clearTimers();
    // The child is gone, but its group may not be (grandchildren); and what it wrote last is
    // still relayed before its requests are answered for it.
    await proc.stop('signal');
    await drained(proc.child.stdout, this.#clock);
    if (!this.#isCurrent(proc)) return;
    recordExit(this.#options.audit, this.server.name, proc, exit, this.#restarts.kill);
    this.#proc = null;
    const gone = this.#restarts.gone(exit, this.#life.current === 'failed', this.#hints.hint);
    const { decision, why, reason } = gone;
    // With a next child to come, idempotent requests in flight wait for it (or, once failed, are
    // answered as unavailable, -31052, like new ones).
    this.relay.detachServer(why, { retry: decision.action !== 'stay-stopped' });
    this.#life.reason = reason;
    this.#life.move('exited');
    switch (decision.action) {
      case 'stay-stopped': {
        this.#life.move('no-restart');
        this.relay.setUnavailable({ state: 'stopped', reason });
        this.#end({ reason: 'server-exit', exit, exitCode: gone.clean ? 0 : 1 });
        return;
      }
      case 'restart':
        this.#options.audit.record(
          this.server.name,
          childRestart({ attempt: decision.attempt, delayMs: decision.delayMs, reason: why }),
        );
        this.#scheduleStart(decision.delayMs);
        return;
      case 'give-up':
      case 'retry-failed':
        if (decision.action === 'give-up')
          this.#options.audit.record(this.server.name, childFailed(reason));
        return this.#fail(reason);
    }
  }

  /** Starts the next child after `delayMs` (a restart, or a retry while failed). */
  #scheduleStart(delayMs: number): void {
    this.#clearTimers();
    // While failed, retries alone must not keep an ended process alive; a pending restart does.
    this.#restarts.schedule(delayMs, () => void this.#startNext(), this.#life.current !== 'failed');
  }

  async #startNext(): Promise<void> {
    if (this.#stopping !== null) return;
    this.#life.move('restart-due');
    let proc: SupervisedChild;
    try {
      proc = await this.#options.launch();
    } catch (err) {
      if (this.#stopping === null) this.#spawnFailed(err as Error);
      return;
    }
    if (this.#stopping === null) this.#attach(proc);
    else await proc.stop('signal');
  }

  /** No more timers: the child is gone or being stopped (its pings and samples end with it). */
  #clearTimers(): void {
    this.#restarts.cancel();
    this.#health.stop();
  }

  #monitorHealth(): void {
    this.#restarts.cancel();
    const [proc, signs] = [this.#proc, this.#health.signs];
    if (proc === null || signs === null) return;
    this.#health.watch({
      pid: proc.pid,
      probe: relayProbe(this.relay, signs),
      isCurrent: () => this.#isCurrent(proc) && this.#life.current === 'ready',
      onHung: () => {
        this.#restarts.markHung();
        this.#life.move('hung');
        void proc.stop('signal');
      },
    });
  }
}
