/**
 * The server's requests to the client that wait for the client's answer: which of them may reach
 * the client at all, and which client answers may reach the server. When the child that sent them
 * dies, their ids are kept as orphans, so that the client's late answers are dropped instead of
 * reaching a new child as the answer to a request of its own that reuses the id.
 */
import { idKey, type RequestId } from '../protocol/jsonrpc.js';
import { PendingTable, type PendingRequest } from './pending.js';

/**
 * Server→client requests the client has not answered yet; past this, the server's next request
 * is answered by mcp-guard (-31051) and never reaches the client. A client that never answers
 * would otherwise let a server grow mcp-guard without bound.
 */
export const MAX_SERVER_REQUESTS = 1000;
/** Ids of a dead child's unanswered requests kept to drop the client's late answers (oldest go). */
export const MAX_ORPHANS = 1000;

/** Whether a server request may go to the client, and why not: a bad id, or the bound. */
export type Admission = { ok: true } | { ok: false; rule: 'framing' | 'limit'; reason: string };

/** What a client's answer answers: a pending request, a dead child's request, or nothing known. */
export type AnswerMatch = 'pending' | 'orphan' | 'unknown';

export class ServerRequests {
  readonly #pending = new PendingTable();
  readonly #orphans = new Set<string>();

  /**
   * Judges a server request before it is forwarded. `collides`: its id is that of a client
   * request in flight, which a client that did not declare the request's capability would take
   * for the answer to its own request.
   */
  admit(id: RequestId, collides: boolean): Admission {
    if (this.#pending.has(id)) {
      return {
        ok: false,
        rule: 'framing',
        reason: 'a server request with this id is already in flight',
      };
    }
    if (collides) {
      return {
        ok: false,
        rule: 'framing',
        reason:
          "the id of a client request in flight, which the client could take for that request's answer",
      };
    }
    if (this.#pending.size >= MAX_SERVER_REQUESTS) {
      return {
        ok: false,
        rule: 'limit',
        reason: `${this.#pending.size} requests of the server are waiting for the client's answer (the most mcp-guard holds)`,
      };
    }
    return { ok: true };
  }

  /** A request admitted and forwarded to the client. */
  add(entry: PendingRequest): void {
    this.#pending.add(entry);
  }

  /**
   * The client answered `id`: the pending request is done. A late answer to a dead child's
   * request comes before any answer to a new child's request that happens to reuse its id, so
   * orphans are matched first.
   */
  answer(id: RequestId): AnswerMatch {
    if (this.#orphans.size > 0 && this.#orphans.delete(idKey(id))) return 'orphan';
    return this.#pending.take(id) === undefined ? 'unknown' : 'pending';
  }

  /** The child died: its requests the client has not answered become orphans (the newest kept). */
  orphanAll(): void {
    for (const entry of this.#pending.drain()) this.#orphans.add(idKey(entry.id));
    for (const key of this.#orphans) {
      if (this.#orphans.size <= MAX_ORPHANS) break;
      this.#orphans.delete(key);
    }
  }
}
