/**
 * The restart side of supervision: the history of a server's runs, the decision when a child is
 * gone (restart-policy.ts, fed the injected clock), the count of restarts, and the one timer that
 * starts the next child after a backoff (or retries a failed server every `backoff.max`).
 */
import type { RestartConfig, RestartDecision, Run } from './restart-policy.js';
import { decideRestart } from './restart-policy.js';
import type { Clock, Timer } from './clock.js';
import type { ChildExit } from './server-process.js';
import { describeExit } from './supervised-child.js';

/** Runs kept for the restart policy's window (more than any sane maxRestarts). */
const HISTORY = 64;

/** Why mcp-guard stopped the current child itself, if it did. */
export type Kill = { cause: 'hung' } | { cause: 'maxMemory'; rssBytes: number; maxMemory: number };

/** A restart decision, or giving up because the run refused to carry the session on. */
export type SessionDecision = RestartDecision | { action: 'give-up'; reason: string };

/** What follows a child that is gone, and the words for it. */
export interface Gone {
  decision: SessionDecision;
  /** Why the child went, as the relay and the audit log say it. */
  why: string;
  /** The server's state reason: the decision's own when it ends the runs, else `why`. */
  reason: string;
  /** It exited 0 on its own (not killed, not found hung). */
  clean: boolean;
}

export class Restarts {
  readonly #restart: RestartConfig;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #runs: Run[] = [];
  #count = 0;
  #startedAt = 0;
  /** Why the current child is being stopped by mcp-guard (found hung, over its memory limit). */
  #kill: Kill | null = null;
  /** The current child must not be restarted: this is why (e.g. its protocol version changed). */
  #refused: string | null = null;
  #timer: Timer | null = null;

  constructor(restart: RestartConfig, clock: Clock, random: () => number = Math.random) {
    this.#restart = restart;
    this.#clock = clock;
    this.#random = random;
  }

  /** Restarts decided so far (retries while failed not included). */
  get count(): number {
    return this.#count;
  }

  /** The clock's reading when the current child was spawned. */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Health checks found the current child hung. */
  get hung(): boolean {
    return this.#kill?.cause === 'hung';
  }

  /** Why mcp-guard stopped the current child itself, if it did. */
  get kill(): Kill | null {
    return this.#kill;
  }

  /** A child was spawned just now. */
  started(): void {
    this.#startedAt = this.#clock.now();
    this.#kill = null;
    this.#refused = null;
  }

  /** The current child is being killed because health checks found it hung. */
  markHung(): void {
    this.markKilled({ cause: 'hung' });
  }

  /** The current child is being stopped by mcp-guard, for this reason. */
  markKilled(kill: Kill): void {
    this.#kill = kill;
  }

  /** The current child cannot carry the session on: when it is gone, give up for this reason. */
  refuse(reason: string): void {
    this.#refused = reason;
  }

  /**
   * The current child is gone: records its run and decides what follows (`failed`: the server
   * was failed already, the run was a retry).
   */
  decide(exit: ChildExit, failed: boolean): SessionDecision {
    const now = this.#clock.now();
    const run: Run = {
      startedAt: this.#startedAt,
      endedAt: now,
      code: exit.code,
      signal: exit.signal,
      end: this.#kill === null ? 'exited' : this.#kill.cause === 'hung' ? 'hung' : 'over-memory',
    };
    const decision: SessionDecision =
      this.#refused !== null
        ? { action: 'give-up', reason: this.#refused }
        : decideRestart({
            restart: this.#restart,
            exited: run,
            earlier: this.#runs,
            failed,
            now,
            random: this.#random,
          });
    this.#runs.push(run);
    if (this.#runs.length > HISTORY) this.#runs.shift();
    if (decision.action === 'restart') this.#count += 1;
    return decision;
  }

  /**
   * decide(), with the words the session needs for it. `hint`: what the child showed before it
   * was ready that no restart can cure (fix-hints.ts); then the runs end here.
   */
  gone(exit: ChildExit, failed: boolean, hint: string | null = null): Gone {
    if (hint !== null) this.refuse(hint);
    const kill = this.#kill;
    const decision = this.decide(exit, failed);
    const why = kill === null ? describeExit(exit) : killWords(kill);
    const ends = decision.action === 'stay-stopped' || decision.action === 'give-up';
    const clean = exit.code === 0 && exit.signal === null && kill === null;
    return { decision, why, reason: ends ? decision.reason : why, clean };
  }

  /**
   * Calls `start` after `delayMs`, replacing any start already scheduled. Unless `keepAlive`,
   * the wait does not keep the process running (retries of a failed server must not).
   */
  schedule(delayMs: number, start: () => void, keepAlive: boolean): void {
    this.cancel();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      start();
    }, delayMs);
    if (!keepAlive) this.#timer.unref();
  }

  cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** Why mcp-guard stopped a child, in words (the relay's, the audit log's, the state's reason). */
function killWords(kill: Kill): string {
  if (kill.cause === 'hung') return 'it stopped answering health checks';
  const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
  return `its process tree used ${mib(kill.rssBytes)}, above limits.maxMemory (${mib(kill.maxMemory)})`;
}
