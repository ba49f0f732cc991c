/**
 * The time a supervising unit reads and the timers it sets, as one parameter: the real clock in
 * production, a fake one in unit tests (which then run restarts, pings and backoffs without
 * sleeping).
 */
import { performance } from 'node:perf_hooks';

/** A pending timer; unref() lets the process end while it waits. */
export interface Timer {
  unref(): void;
}

export interface Clock {
  /** Monotonic ms (performance.now()): steady, for durations. */
  now(): number;
  /** Wall-clock ms (Date.now()): jumps when the machine sleeps or the clock is set. */
  wall(): number;
  /** The wall-clock time `now()` counts from: now() + origin ≈ wall(). */
  readonly origin: number;
  setTimeout(callback: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  origin: performance.timeOrigin,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
