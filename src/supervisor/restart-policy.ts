/**
 * Whether, and when, a server whose child has gone is started again (SPEC section 5). Pure: the
 * caller passes the run history, the clock reading and a random source, so every decision can be
 * replayed in a test without sleeping.
 *
 * Choices, in the order they are applied:
 * 1. A stop mcp-guard asked for, policy `never`, and (policy `on-failure`) a clean exit — code 0,
 *    no signal, not killed as hung — leave the server stopped. Anything else is a failure: a
 *    non-zero code, a signal (from anyone), a hung child killed by the health check, a child
 *    stopped for staying above `limits.maxMemory`, a failed
 *    spawn. Policy `always` restarts after clean exits too.
 * 2. While the server is `failed`, one more start is tried every `backoff.max`, exactly.
 * 3. Rate limit: at most `maxRestarts + 1` starts (the first and `maxRestarts` restarts) in any
 *    `window`. When the starts younger than `window` (age = now − startedAt < window, all runs,
 *    retries included) already number more than `maxRestarts`, the policy gives up. Counting at
 *    decision time is conservative: the restart happens later, when older starts may have left.
 * 4. Otherwise restart after backoff. See `backoffDelay` and `resetAfterMs`.
 */
import type { ServerConfig } from '../config/types.js';

/** The resolved `restart` block the policy reads. */
export type RestartConfig = ServerConfig['restart'];

/**
 * Why a child is gone: it went by itself (or failed to spawn), health killed it, it was stopped
 * for staying above `limits.maxMemory`, or we asked.
 */
export type RunEnd = 'exited' | 'hung' | 'over-memory' | 'stop-requested';

/** One start of the server and how it ended; the facts a decision is made from. */
export interface Run {
  /** ms, the injected clock's reading when the child was spawned */
  startedAt: number;
  /** ms, when the child was seen gone */
  endedAt: number;
  code: number | null;
  signal: string | null;
  end: RunEnd;
}

/** What the policy needs; `earlier` is oldest first and does not include `exited`. */
export interface RestartInput {
  restart: RestartConfig;
  exited: Run;
  earlier: readonly Run[];
  /** The server was in state `failed` when `exited` ended (it was a retry that never got ready). */
  failed: boolean;
  now: number;
  /** Uniform in [0, 1), e.g. Math.random; tests pass constants. */
  random: () => number;
}

/** The one answer the supervisor acts on; `attempt` counts from 1 since the last success-reset. */
export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number }
  | { action: 'give-up'; reason: string; starts: number; windowMs: number }
  | { action: 'retry-failed'; delayMs: number }
  | { action: 'stay-stopped'; reason: string };

/**
 * Success-reset: a child that stayed up at least `backoff.max` resets the attempt counter, so its
 * crash is restarted after `backoff.initial` again. Why `backoff.max`: a child that outlived the
 * longest wait the backoff would ever impose is no evidence of a crash loop at the current pace;
 * the window limit still caps the start rate on its own.
 */
export function resetAfterMs(restart: RestartConfig): number {
  return restart.backoff.max;
}

/**
 * Delay before restart attempt n (n ≥ 1): the floor doubles from `initial`, and jitter adds up to
 * another floor on top, never past `max`:
 *
 *   floor_n = min(max, initial · 2^(n−1))
 *   delay_n = ⌊floor_n + r · (min(max, 2 · floor_n) − floor_n)⌋,  r in [0, 1)
 *
 * So delay_n is in [floor_n, min(max, 2 · floor_n)], never below `initial`, never above `max`, and
 * once floor_n reaches `max` the delay is exactly `max`. ("Full jitter", which can return almost
 * 0, would break the `initial` floor.)
 */
export function backoffDelay(
  attempt: number,
  backoff: RestartConfig['backoff'],
  random: () => number,
): number {
  const { initial, max } = backoff;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const floor = Math.min(max, initial * 2 ** exponent);
  const ceiling = Math.min(max, 2 * floor);
  const r = Math.min(Math.max(random(), 0), 1);
  const delay = Math.floor(floor + r * (ceiling - floor));
  return Math.min(max, Math.max(initial, delay));
}

/** Decides what follows the end of `input.exited`. */
export function decideRestart(input: RestartInput): RestartDecision {
  const { restart, exited, earlier, now } = input;
  if (exited.end === 'stop-requested') {
    return { action: 'stay-stopped', reason: 'mcp-guard stopped it' };
  }
  if (restart.policy === 'never') return { action: 'stay-stopped', reason: 'restart policy never' };
  if (restart.policy === 'on-failure' && isCleanExit(exited)) {
    return { action: 'stay-stopped', reason: 'exited with code 0 (restart policy on-failure)' };
  }
  if (input.failed) return { action: 'retry-failed', delayMs: restart.backoff.max };
  const starts = [...earlier, exited].filter((run) => now - run.startedAt < restart.window).length;
  if (starts > restart.maxRestarts) {
    return {
      action: 'give-up',
      reason: `${starts} starts within ${restart.window} ms (maxRestarts ${restart.maxRestarts})`,
      starts,
      windowMs: restart.window,
    };
  }
  const attempt = countAttempt(exited, earlier, resetAfterMs(restart));
  return {
    action: 'restart',
    delayMs: backoffDelay(attempt, restart.backoff, input.random),
    attempt,
  };
}

/** Code 0, no signal, not killed as hung. */
export function isCleanExit(run: Run): boolean {
  return run.end === 'exited' && run.code === 0 && run.signal === null;
}

/**
 * The number of consecutive short-lived runs ending with `exited` (at least 1). A run that stayed
 * up `resetAfter` or longer, or one mcp-guard stopped on purpose, ends the streak.
 */
function countAttempt(exited: Run, earlier: readonly Run[], resetAfter: number): number {
  const short = (run: Run): boolean =>
    run.end !== 'stop-requested' && run.endedAt - run.startedAt < resetAfter;
  if (!short(exited)) return 1;
  let attempt = 1;
  for (let i = earlier.length - 1; i >= 0; i--) {
    const run = earlier[i];
    if (run === undefined || !short(run)) break;
    attempt++;
  }
  return attempt;
}
