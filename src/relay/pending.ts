/**
 * Requests awaiting their response, keyed by id as sent (ids are never rewritten, and 1 and "1"
 * are different ids: a Map tells them apart, as it tells every two numbers apart but 0 and -0,
 * which JSON gives the same text).
 */
import type { RequestId } from '../protocol/jsonrpc.js';
import { isStream } from './streams.js';

export interface PendingRequest {
  id: RequestId;
  method: string;
  params: unknown;
  /** For `tools/call`: the tool's name. */
  tool?: string;
  /** performance.now() when it was forwarded (first forwarded, for a retried request). */
  startedAt: number;
  /** Already sent again to a new child once (it is not retried twice). */
  retried?: boolean;
}

export class PendingTable {
  readonly #entries = new Map<RequestId, PendingRequest>();
  /** Entries that are streams (streams.ts), not calls. */
  #streams = 0;

  get size(): number {
    return this.#entries.size;
  }

  /** Entries that are calls: what a server is working on (open streams left out). */
  get calls(): number {
    return this.#entries.size - this.#streams;
  }

  has(id: RequestId): boolean {
    return this.#entries.has(id);
  }

  add(entry: PendingRequest): void {
    const old = this.#entries.get(entry.id);
    if (old !== undefined && isStream(old.method)) this.#streams -= 1;
    this.#entries.set(entry.id, entry);
    if (isStream(entry.method)) this.#streams += 1;
  }

  /** Removes and returns the entry for this id, if any. */
  take(id: RequestId): PendingRequest | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    if (isStream(entry.method)) this.#streams -= 1;
    return entry;
  }

  /** Entries in the order they were added (oldest first). */
  values(): IterableIterator<PendingRequest> {
    return this.#entries.values();
  }

  /** Removes and returns every entry, oldest first. */
  drain(): PendingRequest[] {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    this.#streams = 0;
    return all;
  }
}
