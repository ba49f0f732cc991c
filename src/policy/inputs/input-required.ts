/**
 * Reading the stateless era's requests to the client that travel inside results (MCP 2026-07-28):
 *
 * - the multi round-trip exchange (basic/patterns/mrtr): a server answers `tools/call`,
 *   `prompts/get` or `resources/read` with an `input_required` result whose `inputRequests` map
 *   keys to embedded requests (`sampling/createMessage`, `elicitation/create`, `roots/list`); the
 *   client retries the request with `inputResponses`, the answers by the same keys, and the
 *   `requestState` it was given;
 * - a task of the tasks extension (`io.modelcontextprotocol/tasks`) that waits for input: its
 *   `tasks/get` result has `status: "input_required"` and the same `inputRequests`; the client
 *   answers them with `tasks/update` (`taskId`, `inputResponses`), and no state travels.
 *
 * Pure: what the checks of input-checks.ts, roots.ts and server-requests.ts read and write.
 *
 * Read strictly, as a hostile server may spell things otherwise: only `resultType` exactly
 * `"input_required"` (of a stateless-era request), or `status` exactly `"input_required"` in the
 * result of a stateless-era `tasks/get` for that very task, asks for input; its `inputRequests`
 * must be an object of requests of those three methods, its `requestState` a string.
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

/** The members of a task (tasks extension): a handle has these, a task waiting for input more. */
export const TASK_MEMBERS: ReadonlySet<string> = new Set([
  'resultType',
  '_meta',
  'taskId',
  'status',
  'statusMessage',
  'createdAt',
  'lastUpdatedAt',
  'ttlMs',
  'pollIntervalMs',
]);

/** The members an InputRequiredTask has (no `result`, `error` or `requestState`). */
export const TASK_INPUT_MEMBERS: ReadonlySet<string> = new Set([...TASK_MEMBERS, 'inputRequests']);

/** The tasks extension's method that carries a task's answers (it has no other use). */
export const TASK_UPDATE = 'tasks/update';
const TASK_GET = 'tasks/get';

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
      /** A task waiting for input (`tasks/get`): its id; else the exchange is a retry's. */
      task?: string;
    };

/** What a server's response to `request` asks of the client, read strictly. */
export function readInputRequired(
  request: Answered | undefined,
  message: RpcMessage,
): InputReading {
  if (message.kind !== 'response') return { kind: 'none' };
  const result = message.result;
  if (isInputRequired(request, result)) return readRequests(result as Record<string, unknown>);
  const task = taskAsking(request, result);
  if (task === undefined) return { kind: 'none' };
  if (task !== subjectOf(TASK_GET, request?.params)) {
    return {
      kind: 'malformed',
      reason: `it names task ${JSON.stringify(task)}, not the one asked for`,
    };
  }
  const reading = readRequests(result as Record<string, unknown>);
  // A task has no requestState: one it carries is no member of its shape (input-checks.ts).
  return reading.kind === 'input_required' ? { ...reading, state: undefined, task } : reading;
}

/** The id a stateless-era `tasks/get` result names, when its task waits for input. */
function taskAsking(request: Answered | undefined, result: unknown): string | undefined {
  if (request?.method !== TASK_GET || !isObject(result) || result.status !== 'input_required') {
    return undefined;
  }
  if (!isStatelessRequest(request)) return undefined;
  return typeof result.taskId === 'string' ? result.taskId : '';
}

function readRequests(result: Record<string, unknown>): InputReading {
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

/**
 * The result without the input requests of these keys (no `inputRequests` when none is left, but
 * in a task waiting for input, whose shape has one: `{}` then).
 */
export function withoutInputRequests(
  message: Response,
  reading: Extract<InputReading, { kind: 'input_required' }>,
  keys: readonly string[],
): Response {
  const result = reading.result;
  const left = { ...(result.inputRequests as Record<string, unknown>) };
  for (const key of keys) delete left[key];
  const next = { ...result };
  if (Object.keys(left).length === 0 && reading.task === undefined) delete next.inputRequests;
  else next.inputRequests = left;
  return withResult(message, next);
}

/** The tool, prompt, URI or task a request names: what a sealed state is bound to. */
export function subjectOf(method: string, params: unknown): string | undefined {
  if (method.startsWith('tasks/')) return paramString(params, 'taskId');
  return paramString(params, method === 'resources/read' ? 'uri' : 'name');
}

/**
 * A request that answers input requests: a stateless-era retry (carrying `inputResponses` or
 * `requestState`), or a task's `tasks/update` (a method of the 2026 tasks extension only).
 */
export function isRetry(message: RpcMessage): message is Request {
  if (message.kind !== 'request' || !isObject(message.params)) return false;
  if (message.method === TASK_UPDATE) return Object.hasOwn(message.params, 'inputResponses');
  return (
    (Object.hasOwn(message.params, 'inputResponses') ||
      Object.hasOwn(message.params, 'requestState')) &&
    isStatelessRequest(message)
  );
}

/**
 * What the server asked that this answering request answers: a retry's state, opened, when this
 * process sealed it for this very request (method and subject); for a `tasks/update`, what the
 * task asked through mcp-guard so far. Else undefined, and no answer of it answers anything the
 * server asked.
 */
export function openRetry(message: Request, states: RequestStates): SealedState | undefined {
  const params = message.params as Record<string, unknown>;
  if (message.method === TASK_UPDATE) return states.recall(params.taskId);
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
