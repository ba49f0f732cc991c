/**
 * The one waiting primitive of the tests: a promise, an event or a condition, always with a
 * timeout whose failure message is computed when it fails (so it can quote the stderr so far).
 */
import { once, type EventEmitter } from 'node:events';

/** A failure message, or a function computing it at failure time (to include late stderr). */
export type Describe = string | (() => string);

export const describeNow = (describe: Describe): string =>
  typeof describe === 'string' ? describe : describe();

/** How often predicates are re-checked when there is no event to wait on (not a fixed sleep). */
const POLL_MS = 20;

/**
 * Resolves once `what` is ready, or rejects after `timeoutMs` with `describe`:
 *   - a promise: its value (rejections pass through);
 *   - an `[emitter, event]` pair: the event's arguments;
 *   - a predicate: its first truthy (awaited) value, re-checked every few milliseconds.
 */
export function waitFor<T>(what: Promise<T>, timeoutMs: number, describe: Describe): Promise<T>;
export function waitFor(
  what: [EventEmitter, string],
  timeoutMs: number,
  describe: Describe,
): Promise<unknown[]>;
export function waitFor<T>(
  what: () => T | Promise<T>,
  timeoutMs: number,
  describe: Describe,
): Promise<NonNullable<T>>;
export async function waitFor(
  what: Promise<unknown> | [EventEmitter, string] | (() => unknown),
  timeoutMs: number,
  describe: Describe,
): Promise<unknown> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`timed out after ${timeoutMs} ms: ${describeNow(describe)}`));
    }, timeoutMs);
  });
  let ready: Promise<unknown>;
  if (what instanceof Promise) ready = what;
  else if (Array.isArray(what)) ready = once(what[0], what[1], { signal: abort.signal });
  else ready = pollUntil(what, abort.signal);
  try {
    return await Promise.race([ready, timedOut]);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/**
 * Resolves with `check()`'s first truthy value, checked now and each time `emitter` emits
 * `event` (for a condition on output that arrives as events: no polling); rejects after
 * `timeoutMs` with `describe`, or with what `check` throws (e.g. "the stream ended").
 */
export async function waitOn<T>(
  emitter: EventEmitter,
  event: string,
  check: () => T,
  timeoutMs: number,
  describe: Describe,
): Promise<NonNullable<T>> {
  let listener = (): void => undefined;
  const ready = new Promise<NonNullable<T>>((resolve, reject) => {
    listener = () => {
      try {
        const value = check();
        if (value) resolve(value);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  });
  emitter.on(event, listener);
  try {
    listener();
    return await waitFor(ready, timeoutMs, describe);
  } finally {
    emitter.off(event, listener);
  }
}

async function pollUntil<T>(predicate: () => T | Promise<T>, signal: AbortSignal): Promise<T> {
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (signal.aborted) return new Promise<T>(() => {});
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
