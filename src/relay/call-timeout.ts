/**
 * `limits.callTimeout`: no client request waits longer for its answer, wherever it waits. A
 * request in flight (or waiting to be sent again to a new child) is answered with a timeout error
 * and the server told to cancel it; one waiting for mcp-guard's own listing, or queued for a
 * server that is not ready, is answered -31052 with the state that kept it waiting. A stream
 * (`subscriptions/listen`) once forwarded is not a call: it stays open past the timeout.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import { answerUnavailable } from './answers.js';
import type { HeldRequests } from './held-requests.js';
import type { PendingRequest, PendingTable } from './pending.js';
import type { RelayCore, ServerPeer } from './sides.js';
import { isStream } from './streams.js';

/** Where the client's requests wait. */
export interface Waiting {
  /** Forwarded, not yet answered. */
  pending: PendingTable;
  /** Queued for a server, or waiting to be sent again. */
  held: HeldRequests;
  server: Pick<ServerPeer, 'notify'>;
}

/** Answers what waited `timeoutMs` or longer by `now` (performance.now()). */
export function expireWaiting(
  relay: RelayCore,
  waiting: Waiting,
  now: number,
  timeoutMs: number,
): void {
  const server = relay.options.server;
  const reason = `no answer within limits.callTimeout (${timeoutMs} ms)`;
  const expired: PendingRequest[] = [];
  for (const entry of waiting.pending.values()) {
    if (now - entry.startedAt >= timeoutMs && !isStream(entry.method)) expired.push(entry);
  }
  for (const entry of [...expired, ...waiting.held.takeLateRetries(now, timeoutMs)]) {
    waiting.pending.take(entry.id);
    relay.records.response(
      entry,
      { isError: true, code: ErrorCode.CallTimeout, rule: 'callTimeout' },
      now,
    );
    relay.replyError(entry.id, {
      code: ErrorCode.CallTimeout,
      message: `mcp-guard: request timed out: ${reason}`,
      data: { rule: 'callTimeout', reason, server, timeoutMs },
    });
    waiting.server.notify('notifications/cancelled', { requestId: entry.id, reason });
  }
  for (const waiter of relay.listing?.takeLate(now, timeoutMs) ?? []) {
    answerUnavailable(relay, waiter.id, {
      state: relay.state(),
      reason: `mcp-guard's own listing of the server's ${waiter.kind} did not complete within limits.callTimeout (${timeoutMs} ms)`,
    });
  }
  for (const id of waiting.held.takeLateQueued(now, timeoutMs)) {
    answerUnavailable(relay, id, {
      state: relay.state(),
      reason: `the server was not ready within limits.callTimeout (${timeoutMs} ms)`,
    });
  }
}
