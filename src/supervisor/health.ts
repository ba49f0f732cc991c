/**
 * Health checks (SPEC section 5): a `ping` with mcp-guard's own id every `health.interval`;
 * `failures` consecutive failed pings mean the child is hung.
 *
 * Busy is not hung. A ping that times out counts as a failure only when, during its whole wait,
 * 1. nothing at all came from the server (any byte it writes — a reply, a notification, progress —
 *    proves its event loop runs), and
 * 2. no client request was in flight (a server may be single-threaded and blocked in one long tool
 *    call; `limits.callTimeout` bounds that call, and once it is answered or cancelled the pings
 *    count again).
 * A clock jump is not a failure either: when the wall clock moved much more than the monotonic
 * clock (a laptop slept; the monotonic clock stops meanwhile on Linux and macOS), or the wait
 * itself overran by far (the whole machine or mcp-guard was stopped), the ping is discarded and
 * the count is left as it was.
 */

/** Two clock readings, taken together. */
export interface ClockReading {
  /** Date.now(): jumps when the machine sleeps or the clock is set. */
  wall: number;
  /** performance.now(): steady. */
  mono: number;
}

/** What happened to one ping; pure input of `judgePing`. */
export interface PingOutcome {
  answered: boolean;
  sent: ClockReading;
  /** When the answer came, or when the wait ended without one. */
  ended: ClockReading;
  timeoutMs: number;
  /** Monotonic time of the last bytes from the server (0 if none ever). */
  lastTraffic: number;
  /** A client request was in flight at some point during the wait. */
  busy: boolean;
}

export type PingJudgement =
  | { verdict: 'ok'; latencyMs: number }
  | { verdict: 'fail'; reason: string }
  | { verdict: 'ignored'; reason: string };

/** Beyond this much disagreement between the two clocks, a clock jump is assumed. */
export const CLOCK_JUMP_MS = 1000;

export function judgePing(outcome: PingOutcome): PingJudgement {
  const { sent, ended, timeoutMs } = outcome;
  const mono = ended.mono - sent.mono;
  const wall = ended.wall - sent.wall;
  if (outcome.answered) return { verdict: 'ok', latencyMs: Math.round(mono * 10) / 10 };
  if (Math.abs(wall - mono) > CLOCK_JUMP_MS) {
    return {
      verdict: 'ignored',
      reason: `clock jump: wall clock moved ${Math.round(wall)} ms, monotonic ${Math.round(mono)} ms`,
    };
  }
  if (mono > 2 * timeoutMs + CLOCK_JUMP_MS) {
    return {
      verdict: 'ignored',
      reason: `the wait overran (${Math.round(mono)} ms for a ${timeoutMs} ms timeout): mcp-guard itself was not running`,
    };
  }
  if (outcome.lastTraffic > sent.mono) {
    return { verdict: 'ignored', reason: 'no answer to ping, but the server is sending' };
  }
  if (outcome.busy) {
    return { verdict: 'ignored', reason: 'no answer to ping while a request is in flight' };
  }
  return { verdict: 'fail', reason: `no answer to ping within ${timeoutMs} ms` };
}

/** Counts consecutive failures; `hung` once `failures` is reached. Ignored pings change nothing. */
export class FailureCount {
  #count = 0;

  constructor(readonly failures: number) {}

  get count(): number {
    return this.#count;
  }

  /** Feeds one judgement; true when the child is now considered hung. */
  add(judgement: PingJudgement): boolean {
    if (judgement.verdict === 'ok') this.#count = 0;
    else if (judgement.verdict === 'fail') this.#count += 1;
    return this.#count >= this.failures;
  }
}
