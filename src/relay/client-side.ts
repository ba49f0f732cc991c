/**
 * Messages from the client: requests are policed, recorded as pending and forwarded (or held
 * while no server accepts them); responses must answer a request the server really sent.
 */
import { performance } from 'node:perf_hooks';
import type { Frame } from '../protocol/framing.js';
import { isObject, resultLine, type RequestId, type RpcMessage } from '../protocol/jsonrpc.js';
import { resultFor } from '../protocol/result-type.js';
import { refusalLine } from '../policy/refusal.js';
import type { ServerCatalog } from '../policy/catalog.js';
import {
  answerDuplicate,
  answerInvalid,
  answerStopped,
  answerUnavailable,
  toolOf,
} from './answers.js';
import { dispatchFrame, type MessageHandlers } from './dispatch.js';
import { expireWaiting } from './call-timeout.js';
import { HeldRequests } from './held-requests.js';
import { listNeeded } from './own-listing.js';
import { PendingTable, type PendingRequest } from './pending.js';
import type { Unavailable } from './relay-options.js';
import { isIdempotent, retriesWithoutLimit } from './session-memory.js';
import type { ClientPeer, RelayCore, ServerPeer } from './sides.js';

const DIRECTION = 'client-to-server';
/**
 * Client requests forwarded and not yet answered; past this, the client's next request is
 * answered at once with -31052 (each in-flight one is also bounded by callTimeout).
 */
export const MAX_IN_FLIGHT = 10_000;

export class ClientSide implements ClientPeer {
  readonly #relay: RelayCore;
  readonly #server: ServerPeer;
  /** Client requests the server has not answered yet. */
  readonly pending = new PendingTable();
  /** The client's `initialize` params (its capabilities decide which server requests pass). */
  #initParams: Record<string, unknown> | undefined;
  #unavailable: Unavailable | null = null;
  readonly #held = new HeldRequests();
  /** tools/call requests forwarded to the server, for `status` and `up`. */
  #calls = 0;

  constructor(relay: RelayCore, server: ServerPeer) {
    this.#relay = relay;
    this.#server = server;
  }

  /** The client's `initialize` params, once it sent them. */
  get initParams(): Record<string, unknown> | undefined {
    return this.#initParams;
  }

  capabilities(): unknown {
    return this.#initParams?.capabilities;
  }

  get calls(): number {
    return this.#calls;
  }

  /** Idempotent requests that were in flight when a child died, to be sent to the next one. */
  get retrying(): readonly PendingRequest[] {
    return this.#held.retrying;
  }

  hasPending(id: RequestId): boolean {
    return this.pending.has(id);
  }

  takePending(id: RequestId): PendingRequest | undefined {
    return this.pending.take(id);
  }

  /** From now on, requests are answered at once with -31052 and this state (null: no longer). */
  setUnavailable(unavailable: Unavailable | null): void {
    this.#unavailable = unavailable;
    if (unavailable === null) return;
    // No walk can complete now: what waited for one is answered like every other request.
    for (const waiter of this.#relay.listing?.takeAll() ?? []) {
      answerUnavailable(this.#relay, waiter.id, unavailable);
    }
  }

  /**
   * The server is gone: requests in flight are answered with -31054 — except, with `retry`,
   * idempotent ones not yet retried, which wait for the next child.
   */
  serverGone(reason: string, retry: boolean, catalog: ServerCatalog): void {
    for (const entry of this.pending.drain()) {
      if (retry && entry.retried !== true && isIdempotent(entry, catalog)) {
        entry.retried = !retriesWithoutLimit(entry);
        this.#held.retryLater(entry);
        continue;
      }
      answerStopped(this.#relay, entry, reason);
    }
  }

  onFrame(frame: Frame): void {
    dispatchFrame(this.#relay, frame, DIRECTION, this.#handlers);
  }

  readonly #handlers: MessageHandlers = {
    invalid: (parsed) => answerInvalid(this.#relay, parsed),
    request: (message, bytes) => this.#onRequest(message, bytes),
    notification: (message, bytes) => this.#onNotification(message, bytes),
    response: (message, bytes) => this.#server.forwardClientResponse(message, bytes),
  };

  /**
   * Sends what waited for a server, now that one accepts requests: first the retried requests,
   * then the queue in arrival order. While the server is unavailable, answers them instead.
   */
  flushQueue(): void {
    const relay = this.#relay;
    const { retry, queued } = this.#held.takeAll();
    for (const entry of retry) {
      if (this.#unavailable !== null) {
        // Its child died with it, and no next child will come soon: the server is unavailable.
        answerUnavailable(this.#relay, entry.id, this.#unavailable);
        continue;
      }
      if (!this.#server.accepting) {
        answerStopped(this.#relay, entry, 'the server is not running');
        continue;
      }
      this.pending.add(entry);
      this.#server.writeText(
        `${JSON.stringify({ jsonrpc: '2.0', id: entry.id, method: entry.method, params: entry.params })}\n`,
      );
      relay.records.resent(entry);
    }
    for (const { message, bytes, queuedAt } of queued) this.#forward(message, bytes, queuedAt);
  }

  /** Answers what waited longer than `timeoutMs` by `now` (see call-timeout.ts). */
  expire(now: number, timeoutMs: number): void {
    expireWaiting(
      this.#relay,
      { pending: this.pending, held: this.#held, server: this.#server },
      now,
      timeoutMs,
    );
  }

  #onRequest(message: Extract<RpcMessage, { kind: 'request' }>, bytes: Buffer | null): void {
    const listing = this.#relay.listing;
    if (
      this.pending.has(message.id) ||
      this.#held.has(message.id) ||
      listing?.has(message.id) === true ||
      this.#server.ownsId(message.id)
    ) {
      answerDuplicate(this.#relay, message.id, bytes?.length ?? 0);
      return;
    }
    this.#relay.memory.onClientRequest(message.method, message.params);
    if (message.method === 'initialize' && isObject(message.params))
      this.#initParams = message.params;
    const kind = listing === null ? undefined : listNeeded(message.method);
    if (listing !== null && kind !== undefined && !listing.ready(kind)) {
      if (this.#unavailable !== null) {
        answerUnavailable(this.#relay, message.id, this.#unavailable);
        return;
      }
      // Checked only against mcp-guard's own listing of the server: it waits for one.
      const waits = listing.wait({
        id: message.id,
        kind,
        since: performance.now(),
        resume: () => this.#check(message, bytes),
      });
      if (!waits) {
        answerUnavailable(this.#relay, message.id, {
          state: this.#relay.state(),
          reason: "too many requests waiting for mcp-guard's own listing of the server",
        });
      }
      return;
    }
    this.#check(message, bytes);
  }

  /** Runs the policy on a client request and refuses, answers or forwards it. */
  #check(message: Extract<RpcMessage, { kind: 'request' }>, bytes: Buffer | null): void {
    const relay = this.#relay;
    const verdict = relay.inspect(message, DIRECTION);
    if (verdict.action === 'deny') {
      relay.records.deny(DIRECTION, verdict, message);
      relay.clientSink.writeText(
        refusalLine(message.id, message.method, relay.options.server, verdict, message.params),
      );
      return;
    }
    if (verdict.action === 'answer') {
      relay.records.answered(DIRECTION, verdict.rule, message);
      relay.clientSink.writeText(resultLine(message.id, resultFor(message, verdict.result)));
      return;
    }
    if (verdict.action === 'rewrite') this.#forward(verdict.message, null);
    else this.#forward(message, bytes);
  }

  #onNotification(
    message: Extract<RpcMessage, { kind: 'notification' }>,
    bytes: Buffer | null,
  ): void {
    const relay = this.#relay;
    const verdict = relay.inspect(message, DIRECTION);
    if (verdict.action === 'deny') {
      relay.records.deny(DIRECTION, verdict, message);
      return;
    }
    if (message.method === 'notifications/cancelled' && isObject(message.params)) {
      const id = message.params.requestId;
      if (typeof id === 'string' || typeof id === 'number') {
        this.pending.take(id);
        this.#held.cancel(id);
        relay.listing?.cancel(id);
      }
    } else if (message.method === 'notifications/initialized') {
      relay.memory.initialized = true;
    }
    this.#forward(
      verdict.action === 'rewrite' ? verdict.message : message,
      verdict.action === 'rewrite' ? null : bytes,
    );
    // The session is up: mcp-guard lists the server itself, after the client's notification.
    if (message.method === 'notifications/initialized') relay.listing?.begin();
  }

  #forward(message: RpcMessage, bytes: Buffer | null, queuedAt = performance.now()): void {
    const relay = this.#relay;
    const server = this.#server;
    if (!server.accepting) {
      if (message.kind !== 'request') {
        // Past the queue's bound, a notification for a server that is not there is dropped.
        if (this.#unavailable === null && !this.#held.full) {
          this.#held.hold({ message, bytes, queuedAt });
        }
        return;
      }
      if (this.#unavailable !== null || this.#held.full) {
        answerUnavailable(
          this.#relay,
          message.id,
          this.#unavailable ?? {
            state: relay.state(),
            reason: 'too many requests waiting for the server',
          },
        );
        return;
      }
      this.#held.hold({ message, bytes, queuedAt });
      return;
    }
    if (message.kind !== 'request') {
      server.write(message, bytes, relay.options.client.input);
      relay.records.notification(DIRECTION, message);
      return;
    }
    if (this.pending.size >= MAX_IN_FLIGHT) {
      const reason = `${this.pending.size} requests are in flight (the most mcp-guard holds)`;
      relay.records.deny(DIRECTION, { rule: 'limits.inFlight', reason }, message);
      answerUnavailable(relay, message.id, { state: relay.state(), reason });
      return;
    }
    const tool = toolOf(message);
    if (tool !== undefined) {
      this.#calls += 1;
      relay.options.onCount?.();
    } else relay.memory.onRequest(message.method, message.params);
    const entry: PendingRequest = {
      id: message.id,
      method: message.method,
      params: message.params,
      startedAt: performance.now(),
    };
    if (tool !== undefined) entry.tool = tool;
    this.pending.add(entry);
    server.write(message, bytes, relay.options.client.input);
    // Written after forwarding, so the server starts work meanwhile; still long before the reply
    // it leads to can be relayed (that happens in a later turn of the event loop).
    relay.records.forwarded(message, tool);
  }
}
