/**
 * Messages from the client: requests are policed, recorded as pending and forwarded (or queued
 * while no server is attached); responses must answer a request the server really sent.
 */
import { performance } from 'node:perf_hooks';
import type { Frame } from '../protocol/framing.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { isObject, resultLine, type ParseResult, type RpcMessage } from '../protocol/jsonrpc.js';
import { refusalLine } from '../policy/refusal.js';
import { PendingTable } from './pending.js';
import type { Relay, Unavailable } from './relay.js';

const DIRECTION = 'client-to-server';
/** Requests held while no server is attached; past this they are answered with -32052. */
const MAX_QUEUED = 1000;

export class ClientSide {
  readonly #relay: Relay;
  /** Client requests the server has not answered yet. */
  readonly pending = new PendingTable();
  /** The client's `initialize` params (its capabilities decide which server requests pass). */
  initParams: Record<string, unknown> | undefined;
  unavailable: Unavailable | null = null;
  #queue: { message: RpcMessage; bytes: Buffer | null }[] = [];

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

  /** Sends what waited for a server, now that one is attached (or answers it, if unavailable). */
  flushQueue(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const { message, bytes } of queued) this.#forward(message, bytes);
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
    if (this.pending.has(message.id) || this.#queue.some((q) => sameId(q.message, message))) {
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
      if (typeof id === 'string' || typeof id === 'number') this.pending.take(id);
    }
    this.#forward(
      verdict.action === 'rewrite' ? verdict.message : message,
      verdict.action === 'rewrite' ? null : bytes,
    );
  }

  #forward(message: RpcMessage, bytes: Buffer | null): void {
    const relay = this.#relay;
    const server = relay.server;
    if (!server.attached) {
      if (message.kind !== 'request') {
        if (this.unavailable === null) this.#queue.push({ message, bytes });
        return;
      }
      if (this.unavailable !== null || this.#queue.length >= MAX_QUEUED) {
        const state = this.unavailable ?? {
          state: 'starting',
          reason: 'too many requests waiting for the server',
        };
        relay.replyError(message.id, {
          code: ErrorCode.ServerUnavailable,
          message: `mcp-guard: server '${relay.options.server}' is unavailable (${state.state}): ${state.reason}`,
          data: {
            rule: 'availability',
            reason: state.reason,
            server: relay.options.server,
            state: state.state,
          },
        });
        return;
      }
      this.#queue.push({ message, bytes });
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
