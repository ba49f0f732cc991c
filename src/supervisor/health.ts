/**
 * Health checks (SPEC section 5): a `ping` with mcp-guard's own id every `health.interval`;
 * `failures` consecutive failed pings mean the child is hung.
 *
 * Busy is not hung; silent and idle is. A ping that times out counts as a failure unless, during
 * its wait,
 * 1. something came from the server on its stdout (a reply, a notification, progress), or
 * 2. a client request was in flight and the server was working on it: it wrote to its stderr (a
 *    log line), or its process tree used at least BUSY_CPU_SHARE of the wait in CPU time.
 * A request in flight alone excuses nothing: a server that stopped mid-call would keep its client
 * waiting for `limits.callTimeout`. Where the CPU time cannot be read (not Linux), a request in
 * flight is taken as busy, the only sign left. With no request in flight, stderr and CPU use
 * excuse nothing: a server that logs or spins on its own but answers no ping answers no one.
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
  /** Monotonic time of the last bytes on the server's stdout (0 if none ever). */
  lastTraffic: number;
  /** Monotonic time of the last bytes on the server's stderr (0 if none ever). */
  lastStderr: number;
  /** A client request was in flight at some point during the wait. */
  inFlight: boolean;
  /** CPU time the server's process tree used during the wait; null when it cannot be known. */
  cpuMs: number | null;
}

export type PingJudgement =
  | { verdict: 'ok'; latencyMs: number }
  | { verdict: 'fail'; reason: string }
  | { verdict: 'ignored'; reason: string };

/** Beyond this much disagreement between the two clocks, a clock jump is assumed. */
export const CLOCK_JUMP_MS = 1000;

/**
 * The share of a ping's wait that the server's tree must spend on the CPU to count as computing.
 * An idle or blocked process uses none (a tick now and then, at most); a computing one uses most
 * of a core, and still well over this on a machine shared with many others.
 */
export const BUSY_CPU_SHARE = 0.05;

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
  if (!outcome.inFlight) {
    return { verdict: 'fail', reason: `no answer to ping within ${timeoutMs} ms` };
  }
  if (outcome.lastStderr > sent.mono) {
    return {
      verdict: 'ignored',
      reason: 'no answer to ping while a request is in flight (logging)',
    };
  }
  const cpuMs = outcome.cpuMs;
  if (cpuMs === null) {
    return { verdict: 'ignored', reason: 'no answer to ping while a request is in flight' };
  }
  const used = `${Math.round(cpuMs)} ms of CPU in ${Math.round(mono)} ms`;
  if (cpuMs >= BUSY_CPU_SHARE * mono) {
    return {
      verdict: 'ignored',
      reason: `no answer to ping while a request is in flight (${used})`,
    };
  }
  return {
    verdict: 'fail',
    reason: `no answer to ping within ${timeoutMs} ms, with a request in flight, no output and ${used}`,
  };
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
