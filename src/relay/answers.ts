/**
 * The answers mcp-guard gives the client itself, in place of a server's (SPEC section 6): a
 * request whose server died with it (-31054), one no server can take now (-31052), a line that is
 * no valid message, a request reusing an id in flight. Plus the small facts about a message the
 * audit records of both sides use.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import {
  isObject,
  type ParseResult,
  type RequestId,
  type RpcMessage,
} from '../protocol/jsonrpc.js';
import type { PendingRequest } from './pending.js';
import type { Unavailable } from './relay-options.js';
import type { RelayCore } from './sides.js';

/** Answers a request with -31054: its server died with it in flight. */
export function answerStopped(relay: RelayCore, entry: PendingRequest, reason: string): void {
  relay.records.response(entry, { isError: true, code: ErrorCode.ServerStopped });
  relay.replyError(entry.id, {
    code: ErrorCode.ServerStopped,
    message: `mcp-guard: server '${relay.options.server}' stopped while this request was in flight: ${reason}`,
    data: { rule: 'availability', reason, server: relay.options.server },
  });
}

/** Answers a request with -31052: the server cannot take requests in its current state. */
export function answerUnavailable(relay: RelayCore, id: RequestId, state: Unavailable): void {
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

/** Answers a client line that is no valid message (each id of a batch, or none for a response). */
export function answerInvalid(relay: RelayCore, parsed: Extract<ParseResult, { ok: false }>): void {
  if (parsed.response === true) return;
  const reason = parsed.reason;
  const error = {
    code: parsed.code,
    message: parsed.code === ErrorCode.MessageTooLarge ? `Message too large: ${reason}` : reason,
    data: { rule: 'framing', reason, server: relay.options.server },
  };
  if (parsed.batch !== undefined && parsed.batch.length > 0) {
    for (const id of parsed.batch) relay.replyError(id, error);
    return;
  }
  relay.replyError(parsed.id, error);
}

/** Answers a client request (of `size` bytes) whose id is that of one still in flight. */
export function answerDuplicate(relay: RelayCore, id: RequestId, size: number): void {
  const reason = 'a request with this id is already in flight';
  relay.records.invalid('client-to-server', reason, size, id);
  relay.replyError(id, {
    code: ErrorCode.InvalidRequest,
    message: reason,
    data: { rule: 'framing', reason, server: relay.options.server },
  });
}

/** Server→client requests and the client capability each needs. */
const CAPABILITY_FOR: Readonly<Record<string, string>> = {
  'roots/list': 'roots',
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
};

/** The refusal of a server→client request whose capability the client did not declare. */
export function checkClientCapability(
  method: string,
  declared: unknown,
): { rule: string; reason: string; code: number } | null {
  const capability = CAPABILITY_FOR[method];
  if (capability === undefined || (isObject(declared) && capability in declared)) return null;
  return {
    rule: 'client-capability',
    reason: `the client did not declare the '${capability}' capability`,
    code: ErrorCode.MethodNotFound,
  };
}

/** Whether the client declared the capability this server→client method needs (none: false). */
export function declaresCapabilityFor(method: string, declared: unknown): boolean {
  const capability = CAPABILITY_FOR[method];
  return capability !== undefined && isObject(declared) && capability in declared;
}

/** The tool a `tools/call` names, for the audit log. */
export function toolOf(message: RpcMessage): string | undefined {
  if (message.kind !== 'request' || message.method !== 'tools/call' || !isObject(message.params)) {
    return undefined;
  }
  const name = message.params.name;
  return typeof name === 'string' ? name : undefined;
}

/** An error response, or a result flagged `isError`. */
export function isErrorReply(message: RpcMessage): boolean {
  if (message.kind === 'error') return true;
  return message.kind === 'response' && isObject(message.result) && message.result.isError === true;
}
