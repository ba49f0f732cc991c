/**
 * Requests awaiting their response, keyed by id as sent (ids are never rewritten, and 1 and "1"
 * are different ids).
 */
import { idKey, type RequestId } from '../protocol/jsonrpc.js';

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
  readonly #entries = new Map<string, PendingRequest>();

  get size(): number {
    return this.#entries.size;
  }

  has(id: RequestId): boolean {
    return this.#entries.has(idKey(id));
  }

  add(entry: PendingRequest): void {
    this.#entries.set(idKey(entry.id), entry);
  }

  /** Removes and returns the entry for this id, if any. */
  take(id: RequestId): PendingRequest | undefined {
    const key = idKey(id);
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#entries.delete(key);
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
    return all;
  }
}
