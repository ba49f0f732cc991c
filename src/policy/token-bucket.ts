/**
 * A token bucket for "N calls per minute": it holds up to N calls and refills at N per minute,
 * so a quiet client may burst up to N at once and a busy one gets N a minute. Pure: the caller
 * passes the time (integer milliseconds from a monotonic clock). Integer arithmetic throughout
 * (one call = 60,000 units, one millisecond adds N units), so "retry after" is exact.
 */
const UNITS_PER_CALL = 60_000;

export class TokenBucket {
  readonly perMinute: number;
  #units: number;
  #at: number;

  constructor(perMinute: number, now: number) {
    this.perMinute = perMinute;
    this.#units = perMinute * UNITS_PER_CALL;
    this.#at = now;
  }

  /** Milliseconds until one call is available (0: now). */
  waitMs(now: number): number {
    this.#refill(now);
    const missing = UNITS_PER_CALL - this.#units;
    return missing <= 0 ? 0 : Math.ceil(missing / this.perMinute);
  }

  /** Takes one call; the caller has checked `waitMs(now) === 0`. */
  take(now: number): void {
    this.#refill(now);
    this.#units -= UNITS_PER_CALL;
  }

  #refill(now: number): void {
    // A clock that went backwards refills nothing (and does not bank time either).
    const elapsed = Math.max(0, now - this.#at);
    this.#at = Math.max(this.#at, now);
    this.#units = Math.min(this.perMinute * UNITS_PER_CALL, this.#units + elapsed * this.perMinute);
  }
}
