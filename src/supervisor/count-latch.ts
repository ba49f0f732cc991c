/**
 * Calls and denials change with every message; a session's snapshot only when it is taken. The
 * first count after a snapshot announces one change (status files and views then take a new
 * snapshot, throttled), later counts nothing until the next snapshot: a flag per message, no more.
 */
export class CountLatch {
  readonly #announce: () => void;
  #shown = true;

  constructor(announce: () => void) {
    this.#announce = announce;
  }

  /** A call or a denial was counted. */
  counted(): void {
    if (!this.#shown) return;
    this.#shown = false;
    this.#announce();
  }

  /** A snapshot with the current counts was taken. */
  shown(): void {
    this.#shown = true;
  }
}
