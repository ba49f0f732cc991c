/**
 * Messages from the client: requests are policed, recorded as pending and forwarded (or queued
 * while no server is attached); responses must answer a request the server really sent.
 */
import { performance } from 'node:perf_hooks';
import type { Frame } from '../protocol/framing.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  isObject,
  resultLine,
  type ParseResult,
  type RequestId,
  type RpcMessage,
} from '../protocol/jsonrpc.js';
import { refusalLine } from '../policy/refusal.js';
import { PendingTable, type PendingRequest } from './pending.js';
import type { Relay, Unavailable } from './relay.js';

const DIRECTION = 'client-to-server';

interface Queued {
  message: RpcMessage;
  bytes: Buffer | null;
  /** performance.now() when it arrived. */
  queuedAt: number;
}
/** Requests held while no server is attached; past this they are answered with -32052. */
const MAX_QUEUED = 1000;

export class ClientSide {
  readonly #relay: Relay;
  /** Client requests the server has not answered yet. */
  readonly pending = new PendingTable();
  /** The client's `initialize` params (its capabilities decide which server requests pass). */
  initParams: Record<string, unknown> | undefined;
  unavailable: Unavailable | null = null;
  /** Idempotent requests that were in flight when a child died, to be sent to the next one. */
  retry: PendingRequest[] = [];
  /** tools/call requests forwarded to the server, for `status` and `up`. */
  calls = 0;
  #queue: Queued[] = [];

  constructor(relay: Relay) {
    this.#relay = relay;
  }

  onFrame(frame: Frame): void {
    const parsed = this.#relay.parseFrame(frame, DIRECTION);
    if (!parsed.ok) {
      this.#answerInvalid(parsed);
      return;
    }
    const message = parsed.message;
    const bytes = frame.kind === 'line' ? frame.bytes : null;
    switch (message.kind) {
      case 'request':
        this.#onRequest(message, bytes);
        return;
      case 'notification':
        this.#onNotification(message, bytes);
        return;
      case 'response':
      case 'error':
        this.#relay.server.forwardClientResponse(message, bytes);
        return;
    }
  }

  /**
   * Sends what waited for a server, now that one accepts requests: first the retried requests,
   * then the queue in arrival order. While the server is unavailable, answers them instead.
   */
  flushQueue(): void {
    const relay = this.#relay;
    if (this.retry.length > 0) {
      const retry = this.retry;
      this.retry = [];
      for (const entry of retry) {
        if (this.unavailable !== null) {
          // Its child died with it, and no next child will come soon: the server is unavailable.
          this.#answerUnavailable(entry.id, this.unavailable);
          continue;
        }
        if (!relay.server.accepting) {
          this.answerStopped(entry, 'the server is not running');
          continue;
        }
        this.pending.add(entry);
        relay.server.writeText(
          `${JSON.stringify({ jsonrpc: '2.0', id: entry.id, method: entry.method, params: entry.params })}\n`,
        );
        relay.options.audit.record(relay.options.server, 'rpc.request', {
          method: entry.method,
          id: entry.id,
          ...(entry.tool === undefined ? {} : { tool: entry.tool }),
          retry: true,
        });
      }
    }
    const queued = this.#queue;
    this.#queue = [];
    for (const { message, bytes, queuedAt } of queued) this.#forward(message, bytes, queuedAt);
  }

  /**
   * Answers what waited longer than `timeoutMs`: requests in flight get a timeout error and the
   * server a cancellation; queued requests get -32052 with the state that kept them waiting.
   */
  expire(now: number, timeoutMs: number): void {
    const relay = this.#relay;
    const server = relay.options.server;
    const reason = `no answer within limits.callTimeout (${timeoutMs} ms)`;
    const expired: PendingRequest[] = [];
    for (const entry of this.pending.values()) {
      if (now - entry.startedAt < timeoutMs) continue;
      expired.push(entry);
    }
    const late = this.retry.filter((entry) => now - entry.startedAt >= timeoutMs);
    if (late.length > 0) this.retry = this.retry.filter((entry) => !late.includes(entry));
    for (const entry of [...expired, ...late]) {
      this.pending.take(entry.id);
      relay.options.audit.record(server, 'rpc.response', {
        method: entry.method,
        id: entry.id,
        ...(entry.tool === undefined ? {} : { tool: entry.tool }),
        durationMs: Math.round(now - entry.startedAt),
        isError: true,
        code: ErrorCode.RequestTimeout,
        rule: 'callTimeout',
      });
      relay.replyError(entry.id, {
        code: ErrorCode.RequestTimeout,
        message: `mcp-guard: request timed out: ${reason}`,
        data: { rule: 'callTimeout', reason, server, timeoutMs },
      });
      relay.server.notify('notifications/cancelled', { requestId: entry.id, reason });
    }
    if (this.#queue.length === 0 || now - this.#queue[0]!.queuedAt < timeoutMs) return;
    const keep: Queued[] = [];
    for (const item of this.#queue) {
      if (item.message.kind === 'request' && now - item.queuedAt >= timeoutMs) {
        this.#answerUnavailable(item.message.id, {
          state: relay.state(),
          reason: `the server was not ready within limits.callTimeout (${timeoutMs} ms)`,
        });
      } else keep.push(item);
    }
    this.#queue = keep;
  }

  /** Answers a request with -32054: its server died with it in flight. */
  answerStopped(entry: PendingRequest, reason: string): void {
    const relay = this.#relay;
    relay.options.audit.record(relay.options.server, 'rpc.response', {
      method: entry.method,
      id: entry.id,
      ...(entry.tool === undefined ? {} : { tool: entry.tool }),
      durationMs: Math.round(performance.now() - entry.startedAt),
      isError: true,
      code: ErrorCode.ServerStopped,
    });
    relay.replyError(entry.id, {
      code: ErrorCode.ServerStopped,
      message: `mcp-guard: server '${relay.options.server}' stopped while this request was in flight: ${reason}`,
      data: { rule: 'availability', reason, server: relay.options.server },
    });
  }

  #answerUnavailable(id: RequestId, state: Unavailable): void {
    const relay = this.#relay;
    relay.replyError(id, {
      code: ErrorCode.ServerUnavailable,
      message: `mcp-guard: server '${relay.options.server}' is unavailable (${state.state}): ${state.reason}`,
      data: {
        rule: 'availability',
        reason: state.reason,
        server: relay.options.server,
        state: state.state,
      },
    });
  }

  #answerInvalid(parsed: Extract<ParseResult, { ok: false }>): void {
    if (parsed.response === true) return;
    const reason = parsed.reason;
    const error = {
      code: parsed.code,
      message: parsed.code === ErrorCode.MessageTooLarge ? `Message too large: ${reason}` : reason,
      data: { rule: 'framing', reason, server: this.#relay.options.server },
    };
    if (parsed.batch !== undefined && parsed.batch.length > 0) {
      for (const id of parsed.batch) this.#relay.replyError(id, error);
      return;
    }
    this.#relay.replyError(parsed.id, error);
  }

  #onRequest(message: Extract<RpcMessage, { kind: 'request' }>, bytes: Buffer | null): void {
    if (
      this.pending.has(message.id) ||
      this.#queue.some((q) => sameId(q.message, message)) ||
      this.retry.some((entry) => entry.id === message.id)
    ) {
      const reason = 'a request with this id is already in flight';
      this.#relay.auditInvalid(
        DIRECTION,
        reason,
        { kind: 'line', bytes: bytes ?? Buffer.alloc(0) },
        message.id,
      );
      this.#relay.replyError(message.id, {
        code: ErrorCode.InvalidRequest,
        message: reason,
        data: { rule: 'framing', reason, server: this.#relay.options.server },
      });
      return;
    }
    if (message.method === 'initialize' && isObject(message.params))
      this.initParams = message.params;
    const relay = this.#relay;
    const verdict = relay.inspect(message, DIRECTION);
    if (verdict.action === 'deny') {
      relay.recordDeny(DIRECTION, verdict, message);
      relay.clientSink.writeText(
        refusalLine(message.id, message.method, relay.options.server, verdict),
      );
      return;
    }
    if (verdict.action === 'answer') {
      relay.recordAnswered(DIRECTION, verdict.rule, message);
      relay.clientSink.writeText(resultLine(message.id, verdict.result));
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
      relay.recordDeny(DIRECTION, verdict, message);
      return;
    }
    if (message.method === 'notifications/cancelled' && isObject(message.params)) {
      const id = message.params.requestId;
      if (typeof id === 'string' || typeof id === 'number') {
        this.pending.take(id);
        this.retry = this.retry.filter((entry) => entry.id !== id);
        this.#queue = this.#queue.filter(
          (item) => !(item.message.kind === 'request' && item.message.id === id),
        );
      }
    } else if (message.method === 'notifications/initialized') {
      relay.memory.initialized = true;
    }
    this.#forward(
      verdict.action === 'rewrite' ? verdict.message : message,
      verdict.action === 'rewrite' ? null : bytes,
    );
  }

  #forward(message: RpcMessage, bytes: Buffer | null, queuedAt = performance.now()): void {
    const relay = this.#relay;
    const server = relay.server;
    if (!server.accepting) {
      if (message.kind !== 'request') {
        if (this.unavailable === null) this.#queue.push({ message, bytes, queuedAt });
        return;
      }
      if (this.unavailable !== null || this.#queue.length >= MAX_QUEUED) {
        this.#answerUnavailable(
          message.id,
          this.unavailable ?? {
            state: relay.state(),
            reason: 'too many requests waiting for the server',
          },
        );
        return;
      }
      this.#queue.push({ message, bytes, queuedAt });
      return;
    }
    if (message.kind !== 'request') {
      server.write(message, bytes, relay.options.client.input);
      if (relay.options.audit.bodies) {
        relay.options.audit.record(relay.options.server, 'rpc.notification', {
          direction: DIRECTION,
          method: message.kind === 'notification' ? message.method : undefined,
          body: message.body,
        });
      }
      return;
    }
    const tool = toolOf(message);
    if (tool !== undefined) this.calls += 1;
    else relay.memory.onRequest(message.method, message.params);
    this.pending.add({
      id: message.id,
      method: message.method,
      params: message.params,
      ...(tool === undefined ? {} : { tool }),
      startedAt: performance.now(),
    });
    server.write(message, bytes, relay.options.client.input);
    // Written after forwarding, so the server starts work meanwhile; still long before the reply
    // it leads to can be relayed (that happens in a later turn of the event loop).
    relay.options.audit.record(relay.options.server, 'rpc.request', {
      method: message.method,
      id: message.id,
      ...(tool === undefined ? {} : { tool }),
      ...(relay.options.audit.bodies ? { body: message.body } : {}),
    });
  }
}

function sameId(a: RpcMessage, b: Extract<RpcMessage, { kind: 'request' }>): boolean {
  return a.kind === 'request' && a.id === b.id;
}

/** The tool a `tools/call` names, for the audit log. */
export function toolOf(message: RpcMessage): string | undefined {
  if (message.kind !== 'request' || message.method !== 'tools/call' || !isObject(message.params)) {
    return undefined;
  }
  const name = message.params.name;
  return typeof name === 'string' ? name : undefined;
}
