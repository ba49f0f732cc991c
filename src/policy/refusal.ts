/**
 * The reply a refused request gets (SPEC section 6): a refused `tools/call` is a normal result
 * with `isError: true` and a text starting `Blocked by mcp-guard:`, so the model can adapt; any
 * other request gets a JSON-RPC error with `data: {rule, reason, server}`. A refusal with more
 * to say (a rate limit's `retryAfterMs`) puts it in the error's `data`, or, for `tools/call`, in
 * the result's `_meta["mcp-guard/refusal"]` (the text says it too). A malformed request
 * (`invalid`) is a JSON-RPC error `Invalid params: …` whatever its method: there is no call.
 * A refused `tools/call` of the stateless era carries `resultType` (protocol/result-type.ts): its
 * era is read from the request's own params.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import { errorLine, resultLine, type RequestId } from '../protocol/jsonrpc.js';
import { resultFor } from '../protocol/result-type.js';

export interface Refusal {
  rule: string;
  reason: string;
  code?: number;
  data?: Record<string, unknown>;
  invalid?: boolean;
}

export function refusalLine(
  id: RequestId,
  method: string,
  server: string,
  refusal: Refusal,
  params?: unknown,
): string {
  if (method === 'tools/call' && refusal.invalid !== true) {
    return resultLine(id, resultFor({ method, params }, toolRefusal(refusal)));
  }
  return errorLine(id, {
    code: refusal.code ?? ErrorCode.PolicyDenied,
    message: `${refusal.invalid === true ? 'Invalid params' : 'Blocked by mcp-guard'}: ${refusal.reason}`,
    data: { rule: refusal.rule, reason: refusal.reason, server, ...refusal.data },
  });
}

/** The result a refused tool call gets instead of the tool's: `isError`, with the rule and reason. */
export function toolRefusal(refusal: Refusal): Record<string, unknown> {
  return {
    content: [{ type: 'text', text: `Blocked by mcp-guard: ${refusal.rule}: ${refusal.reason}` }],
    isError: true,
    ...(refusal.data === undefined
      ? {}
      : {
          _meta: {
            'mcp-guard/refusal': { rule: refusal.rule, reason: refusal.reason, ...refusal.data },
          },
        }),
  };
}
