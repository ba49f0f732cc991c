/**
 * What the relay writes to the audit log about the messages it handles: a request forwarded, sent
 * again or answered by mcp-guard itself (`rpc.request`), the answer a client request got
 * (`rpc.response`), a notification (`rpc.notification`, with `audit.bodies`), a refusal
 * (`policy.deny`) and a line that is no valid message (`rpc.invalid`). Both sides write through
 * here, so a record reads the same whichever side wrote it.
 */
import type { RequestId, RpcMessage } from '../protocol/jsonrpc.js';
import type { Direction } from '../policy/verdict.js';
import type { AuditSink } from '../audit/audit-sink.js';
import {
  policyDeny,
  rpcNotification,
  rpcInvalid,
  rpcRequest,
  rpcResponse,
  type AnsweredRequest,
  type Answer,
} from '../audit/event-constructors.js';
import { toolOf } from './answers.js';
import type { PendingRequest } from './pending.js';

export class MessageRecords {
  readonly #audit: AuditSink;
  readonly #server: string;
  /** Messages refused by policy, for `status` and `up`. */
  denials = 0;

  readonly #onCount: (() => void) | undefined;

  constructor(audit: AuditSink, server: string, onCount?: () => void) {
    this.#audit = audit;
    this.#server = server;
    this.#onCount = onCount;
  }

  /** A client request forwarded to the server (`tool`: the tool of a `tools/call`). */
  forwarded(message: Extract<RpcMessage, { kind: 'request' }>, tool: string | undefined): void {
    const body = this.#audit.bodies ? message.body : undefined;
    this.#audit.record(
      this.#server,
      rpcRequest({ method: message.method, id: message.id, tool, body }),
    );
  }

  /** A request in flight when its child died, sent again to the next one. */
  resent(entry: PendingRequest): void {
    this.#audit.record(
      this.#server,
      rpcRequest({ method: entry.method, id: entry.id, tool: entry.tool, retry: true }),
    );
  }

  /** A notification or response relayed; recorded only with `audit.bodies`. */
  notification(direction: Direction, message: RpcMessage): void {
    if (!this.#audit.bodies) return;
    const method = message.kind === 'notification' ? message.method : undefined;
    this.#audit.record(this.#server, rpcNotification({ direction, method, body: message.body }));
  }

  /** A refusal of a message in either direction. */
  deny(direction: Direction, refusal: { rule: string; reason: string }, message: RpcMessage): void {
    this.denials += 1;
    this.#onCount?.();
    this.#audit.record(
      this.#server,
      policyDeny({
        rule: refusal.rule,
        reason: refusal.reason,
        direction,
        method:
          message.kind === 'request' || message.kind === 'notification'
            ? message.method
            : undefined,
        id: message.kind === 'notification' ? undefined : message.id,
        tool: toolOf(message),
      }),
    );
  }

  /** A request that mcp-guard answered itself (it went no further). */
  answered(
    direction: Direction,
    rule: string,
    message: Extract<RpcMessage, { kind: 'request' }>,
  ): void {
    this.#audit.record(
      this.#server,
      rpcRequest({
        method: message.method,
        id: message.id,
        direction,
        answeredBy: 'mcp-guard',
        rule,
      }),
    );
  }

  /** A line of `size` bytes that is not a valid message, with the id it seems to carry. */
  invalid(direction: Direction, reason: string, size: number, id: RequestId | null): void {
    this.#audit.record(this.#server, rpcInvalid({ direction, reason, size, id }));
  }

  /** The answer a client request got (`now`: performance.now(), when it was answered). */
  response(request: AnsweredRequest, answer: Answer, now?: number): void {
    this.#audit.record(this.#server, rpcResponse(request, answer, now));
  }
}
