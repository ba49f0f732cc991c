/**
 * Reading the stateless era's multi round-trip exchange (MCP 2026-07-28, basic/patterns/mrtr): a
 * server answers `tools/call`, `prompts/get` or `resources/read` with an `input_required` result
 * whose `inputRequests` map keys to embedded requests (`sampling/createMessage`,
 * `elicitation/create`, `roots/list`); the client retries the request with `inputResponses`, the
 * answers by the same keys, and the `requestState` it was given. Pure: what the checks of
 * input-checks.ts, roots.ts and server-requests.ts read and write.
 *
 * Read strictly, as a hostile server may spell things otherwise: only `resultType` exactly
 * `"input_required"` (of a stateless-era request) asks for input; its `inputRequests` must be an
 * object of requests of those three methods, its `requestState` a string.
 */
import { isObject, type RpcMessage } from '../../protocol/jsonrpc.js';
import { isInputRequired, isStatelessRequest, type Answered } from '../../protocol/result-type.js';
import { paramString, setOwn, withParams, withResult } from '../message.js';
import type { RequestStates, SealedState } from './request-state.js';

type Response = Extract<RpcMessage, { kind: 'response' }>;
type Request = Extract<RpcMessage, { kind: 'request' }>;

/** The requests a server may embed, and the client capability each needs. */
export const INPUT_CAPABILITY: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** The members an InputRequiredResult has; anything else it carries is not part of it. */
export const INPUT_REQUIRED_MEMBERS: ReadonlySet<string> = new Set([
  'resultType',
  'inputRequests',
  'requestState',
  '_meta',
]);

export interface InputRequest {
  method: string;
  params?: Record<string, unknown>;
}

export type InputReading =
  /** Not a stateless-era `input_required` result. */
  | { kind: 'none' }
  | { kind: 'malformed'; reason: string }
  | {
      kind: 'input_required';
      result: Record<string, unknown>;
      /** The embedded requests by key (none: `{}`). */
      requests: Record<string, InputRequest>;
      state: string | undefined;
    };

/** What a server's response to `request` asks of the client, read strictly. */
export function readInputRequired(
  request: Answered | undefined,
  message: RpcMessage,
): InputReading {
  if (message.kind !== 'response' || !isInputRequired(request, message.result)) {
    return { kind: 'none' };
  }
  const result = message.result as Record<string, unknown>;
  const state = result.requestState;
  if (state !== undefined && typeof state !== 'string') {
    return { kind: 'malformed', reason: 'its requestState is not a string' };
  }
  const raw = result.inputRequests;
  if (raw !== undefined && !isObject(raw)) {
    return { kind: 'malformed', reason: 'its inputRequests is not an object' };
  }
  const requests: Record<string, InputRequest> = {};
  for (const [key, entry] of Object.entries(raw ?? {})) {
    const method = isObject(entry) ? entry.method : undefined;
    if (
      !isObject(entry) ||
      typeof method !== 'string' ||
      !Object.hasOwn(INPUT_CAPABILITY, method)
    ) {
      return {
        kind: 'malformed',
        reason: `input request ${JSON.stringify(key)} is not a sampling/createMessage, elicitation/create or roots/list request`,
      };
    }
    if (entry.params !== undefined && !isObject(entry.params)) {
      return {
        kind: 'malformed',
        reason: `the params of input request ${JSON.stringify(key)} are not an object`,
      };
    }
    setOwn(requests, key, { method, ...(isObject(entry.params) ? { params: entry.params } : {}) });
  }
  return { kind: 'input_required', result, requests, state };
}

/** The keys of the embedded requests of these methods. */
export function keysOf(requests: Record<string, InputRequest>, method: string): string[] {
  return Object.keys(requests).filter((key) => requests[key]?.method === method);
}

/** The result without the input requests of these keys (no `inputRequests` when none is left). */
export function withoutInputRequests(
  message: Response,
  result: Record<string, unknown>,
  keys: readonly string[],
): Response {
  const left = { ...(result.inputRequests as Record<string, unknown>) };
  for (const key of keys) delete left[key];
  const next = { ...result };
  if (Object.keys(left).length === 0) delete next.inputRequests;
  else next.inputRequests = left;
  return withResult(message, next);
}

/** The tool, prompt or URI a request names: what a sealed state is bound to. */
export function subjectOf(method: string, params: unknown): string | undefined {
  return paramString(params, method === 'resources/read' ? 'uri' : 'name');
}

/** A stateless-era retry: a request carrying `inputResponses` or `requestState`. */
export function isRetry(message: RpcMessage): message is Request {
  return (
    message.kind === 'request' &&
    isObject(message.params) &&
    (Object.hasOwn(message.params, 'inputResponses') ||
      Object.hasOwn(message.params, 'requestState')) &&
    isStatelessRequest(message)
  );
}

/**
 * The state a retry echoes, opened, when this process sealed it for this very request (method and
 * subject): else undefined, and no answer of the retry answers anything the server asked.
 */
export function openRetry(message: Request, states: RequestStates): SealedState | undefined {
  const params = message.params as Record<string, unknown>;
  const sealed = states.open(params.requestState);
  if (sealed === undefined || sealed.method !== message.method) return undefined;
  return sealed.subject === subjectOf(message.method, params) ? sealed : undefined;
}

/** The retry's answers (an object, or none). */
export function responsesOf(message: Request): Record<string, unknown> {
  const responses = (message.params as Record<string, unknown>).inputResponses;
  return isObject(responses) ? responses : {};
}

/** The retry with these answers (no `inputResponses` member when there are none). */
export function withResponses(message: Request, responses: Record<string, unknown>): Request {
  const params = { ...(message.params as Record<string, unknown>) };
  if (Object.keys(responses).length === 0) delete params.inputResponses;
  else params.inputResponses = responses;
  return withParams(message, params);
}
