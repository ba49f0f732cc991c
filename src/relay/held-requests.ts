/**
 * What the client sent that no server can take yet: messages queued while no server accepts them
 * (none attached, or one held for the session replay), and idempotent requests whose child died
 * with them in flight, to be sent again to the next one. Retries go out first, then the queue in
 * arrival order.
 */
import type { RequestId, RpcMessage } from '../protocol/jsonrpc.js';
import type { PendingRequest } from './pending.js';
import { isStream } from './streams.js';

export interface Queued {
  message: RpcMessage;
  bytes: Buffer | null;
  /** performance.now() when it arrived. */
  queuedAt: number;
}

/** Requests held while no server is attached; past this they are answered with -31052. */
const MAX_QUEUED = 1000;

export class HeldRequests {
  #queue: Queued[] = [];
  #retry: PendingRequest[] = [];

  /** Requests waiting to be sent again, oldest first. */
  get retrying(): readonly PendingRequest[] {
    return this.#retry;
  }

  /** The queue holds as many requests as it may. */
  get full(): boolean {
    return this.#queue.length >= MAX_QUEUED;
  }

  hold(item: Queued): void {
    this.#queue.push(item);
  }

  retryLater(entry: PendingRequest): void {
    this.#retry.push(entry);
  }

  /** A request with this id is queued or waiting to be retried. */
  has(id: RequestId): boolean {
    return (
      this.#queue.some((item) => item.message.kind === 'request' && item.message.id === id) ||
      this.#retry.some((entry) => entry.id === id)
    );
  }

  /** The client cancelled this request: it is not sent at all. */
  cancel(id: RequestId): void {
    this.#retry = this.#retry.filter((entry) => entry.id !== id);
    this.#queue = this.#queue.filter(
      (item) => !(item.message.kind === 'request' && item.message.id === id),
    );
  }

  /** Empties both lists: what is to be retried, then what was queued, in order. */
  takeAll(): { retry: PendingRequest[]; queued: Queued[] } {
    const taken = { retry: this.#retry, queued: this.#queue };
    this.#retry = [];
    this.#queue = [];
    return taken;
  }

  /**
   * Removes and returns the retries first forwarded `timeoutMs` or more before `now` (a stream
   * waiting to be opened again is never late).
   */
  takeLateRetries(now: number, timeoutMs: number): PendingRequest[] {
    const late = this.#retry.filter(
      (entry) => now - entry.startedAt >= timeoutMs && !isStream(entry.method),
    );
    if (late.length > 0) this.#retry = this.#retry.filter((entry) => !late.includes(entry));
    return late;
  }

  /** Removes and returns the ids of queued requests that arrived `timeoutMs` or more ago. */
  takeLateQueued(now: number, timeoutMs: number): RequestId[] {
    if (this.#queue.length === 0 || now - this.#queue[0]!.queuedAt < timeoutMs) return [];
    const late: RequestId[] = [];
    const keep: Queued[] = [];
    for (const item of this.#queue) {
      if (item.message.kind === 'request' && now - item.queuedAt >= timeoutMs) {
        late.push(item.message.id);
      } else keep.push(item);
    }
    this.#queue = keep;
    return late;
  }
}
