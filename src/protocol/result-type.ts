/**
 * `resultType` (MCP 2026-07-28, basic/index "ResultType"): in the stateless era every result
 * carries one — `complete` for a finished result, `input_required` for a request that needs the
 * client's input first (an InputRequiredResult, basic/patterns/mrtr) — and a client pinned to that
 * era rejects a result without it. The session era has no such member. Which era a result is in
 * is the era of the request it answers, read from that request itself (its `_meta`).
 *
 * This is the one place that makes a result mcp-guard writes valid in its request's era: the
 * refusals, the answers mcp-guard gives itself, and the server's results once the policy has
 * edited them.
 */
import { eraOfRequest, type Era } from './era.js';
import { isObject } from './jsonrpc.js';

export const RESULT_COMPLETE = 'complete';
export const RESULT_INPUT_REQUIRED = 'input_required';

/** The request a result answers, as far as its era goes. */
export interface Answered {
  method: string;
  params: unknown;
}

/** Whether this request speaks the stateless era (a 2026-07-28-or-later `_meta`, or discover). */
export function isStatelessRequest(request: Answered): boolean {
  return eraOfRequest(request.method, request.params) === 'stateless';
}

/**
 * `result` as a result of `request`'s era: in the stateless era, with `resultType: "complete"`
 * when it carries none (one it carries is kept, whatever it is: the checks judge it). The same
 * object when nothing is added.
 */
export function resultFor<T>(request: Answered | undefined, result: T): T {
  if (request === undefined) return result;
  return resultInEra(isStatelessRequest(request) ? 'stateless' : undefined, result);
}

/**
 * `result` as a result of this era, for an answer no client request says the era of: mcp-guard's
 * answer to a server's own request (`roots/list` from `paths.roots`) is in the session's.
 */
export function resultInEra<T>(era: Era | undefined, result: T): T {
  if (era !== 'stateless' || !isObject(result) || Object.hasOwn(result, 'resultType')) {
    return result;
  }
  return { resultType: RESULT_COMPLETE, ...result };
}

/** A stateless-era result that asks for the client's input (`resultType: "input_required"`). */
export function isInputRequired(request: Answered | undefined, result: unknown): boolean {
  return (
    request !== undefined &&
    isObject(result) &&
    result.resultType === RESULT_INPUT_REQUIRED &&
    isStatelessRequest(request)
  );
}
