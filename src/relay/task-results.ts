/**
 * Task results pass the output checks a `tools/call` result gets (outputSchema, maxResultBytes,
 * redaction, stripControl). mcp-guard learns which call a task belongs to from the handle the
 * server answered the `tools/call` with, and judges the tool's result, when it comes, as the
 * answer to that call: a 2025-11-25 `tasks/result` as a whole, a 2026 `tasks/get` of a completed
 * task by its `result` member (the task's own fields around it are judged as a `tasks/get`).
 * A refused tool result is replaced by the refusal a `tools/call` gets (`isError: true`).
 *
 * A 2026 task that waits for input asks inside its `tasks/get` result (`inputRequests`, read by
 * policy/inputs/): held to `sampling`, `elicitation` and `paths.roots` there. What mcp-guard
 * answers itself (the manifest's roots, a declined elicitation) it sends the server in a
 * `tasks/update` of its own, through the same checks a client's goes through; a task the policy
 * refuses (it asks for sampling under `sampling: deny`, or cannot be judged) is shown to the
 * client as completed with the refusal a `tools/call` gets, and cancelled at the server. The
 * extension's `notifications/tasks` carries the same task state, and is judged as a `tasks/get`
 * of that task (dropped, not converted, when refused).
 */
import { requestMeta, withStatelessMeta } from '../protocol/era.js';
import { isObject, type RpcMessage } from '../protocol/jsonrpc.js';
import { isStatelessRequest, resultFor, resultInEra } from '../protocol/result-type.js';
import { readInputRequired, TASK_MEMBERS, TASK_UPDATE } from '../policy/inputs/input-required.js';
import { withResult } from '../policy/message.js';
import { toolRefusal } from '../policy/refusal.js';
import { completedTaskResult, taskHandleId } from '../policy/task-shapes.js';
import { PASS, type Verdict } from '../policy/verdict.js';
import type { PendingRequest } from './pending.js';
import type { RelayCore } from './sides.js';

type Response = Extract<RpcMessage, { kind: 'response' | 'error' }>;
type Result = Extract<RpcMessage, { kind: 'response' }>;
type Request = { method: string; params: unknown };

const DIRECTION = 'server-to-client';
/** Tasks remembered; past this the oldest is forgotten (its result is judged without its tool). */
const MAX_TASKS = 1000;

interface TaskEntry {
  /** The `tools/call` params the task answers (unknown for a task not seen created). */
  params: unknown;
  /** Input request keys mcp-guard answered the server itself. */
  answered: Set<string>;
  cancelled: boolean;
}

/** What mcp-guard knows of each task, by task id. */
export class TaskCalls {
  readonly #tasks = new Map<string, TaskEntry>();

  learn(taskId: string, params: unknown): void {
    this.#entry(taskId).params = params;
  }

  /**
   * The call a task's result answers; its tool unknown, params without a name, in the era of
   * `asked` (the request that brought the result).
   */
  callOf(taskId: unknown, asked?: unknown): Request {
    const params = typeof taskId === 'string' ? this.#tasks.get(taskId)?.params : undefined;
    const meta = requestMeta(asked);
    return { method: 'tools/call', params: params ?? (meta === undefined ? {} : { _meta: meta }) };
  }

  /** Of these keys mcp-guard answers itself, those it has not sent the server yet (now sent). */
  unanswered(taskId: string, keys: readonly string[]): string[] {
    const answered = this.#entry(taskId).answered;
    const fresh = keys.filter((key) => !answered.has(key));
    for (const key of fresh) answered.add(key);
    return fresh;
  }

  /** Whether the task is to be cancelled now (true once). */
  cancel(taskId: string): boolean {
    const entry = this.#entry(taskId);
    if (entry.cancelled) return false;
    entry.cancelled = true;
    return true;
  }

  #entry(taskId: string): TaskEntry {
    const entry = this.#tasks.get(taskId) ?? {
      params: undefined,
      answered: new Set(),
      cancelled: false,
    };
    this.#tasks.delete(taskId);
    this.#tasks.set(taskId, entry);
    if (this.#tasks.size > MAX_TASKS) {
      const oldest = this.#tasks.keys().next().value;
      if (oldest !== undefined) this.#tasks.delete(oldest);
    }
    return entry;
  }
}

/**
 * Runs the policy on the server's answer to `entry`; `method` is how a refusal is shaped (a
 * refused task result is refused as the tool call it answers).
 */
export function inspectAnswer(
  relay: RelayCore,
  tasks: TaskCalls,
  entry: PendingRequest,
  message: Response,
  bytes: Buffer | null,
): { verdict: Verdict; method: string } {
  if (message.kind === 'response') {
    if (entry.method === 'tools/call') {
      const taskId = taskHandleId(message.result);
      if (taskId !== undefined) tasks.learn(taskId, entry.params);
    } else if (entry.method === 'tasks/result') {
      const call = tasks.callOf(isObject(entry.params) ? entry.params.taskId : undefined);
      return { verdict: relay.inspect(message, DIRECTION, call, bytes), method: 'tools/call' };
    } else if (entry.method === 'tasks/get') {
      const verdict = inspectTask(relay, tasks, entry, message, bytes);
      if (verdict.action !== 'deny' || !isTask(message.result, entry)) {
        return { verdict, method: entry.method };
      }
      relay.records.deny(DIRECTION, verdict, message);
      return { verdict: refusedTask(relay, tasks, entry, message, verdict), method: entry.method };
    }
  }
  // The request as sent: the pending entry holds its method and params (no copy per answer).
  return { verdict: relay.inspect(message, DIRECTION, entry, bytes), method: entry.method };
}

/** A notification from the server: the extension's `notifications/tasks` judged as a tasks/get. */
export function inspectNotice(
  relay: RelayCore,
  message: Extract<RpcMessage, { kind: 'notification' }>,
): Verdict {
  const params = message.params;
  const { era, statelessVersion } = relay.memory;
  if (message.method !== 'notifications/tasks' || era !== 'stateless' || !isObject(params)) {
    return relay.inspect(message, DIRECTION);
  }
  const taskId = typeof params.taskId === 'string' ? params.taskId : '';
  // The capabilities of the call that made the task (none known: none declared).
  const call = relay.tasks.callOf(taskId).params;
  const meta = requestMeta(call) ?? requestMeta(withStatelessMeta({}, statelessVersion));
  const id = 'mcp-guard:notifications/tasks';
  const entry = { id, method: 'tasks/get', params: { taskId, _meta: meta }, startedAt: 0 };
  const asResult: Result = { kind: 'response', id, result: params, body: { id, result: params } };
  const verdict = inspectTask(relay, relay.tasks, entry, asResult, null);
  if (verdict.action !== 'rewrite' || verdict.message.kind !== 'response') return verdict;
  const next = { ...(verdict.message.result as Record<string, unknown>) };
  if (!Object.hasOwn(params, 'resultType')) delete next.resultType;
  return {
    action: 'rewrite',
    message: { ...message, params: next, body: { ...message.body, params: next } },
    ...(verdict.withheld === undefined ? {} : { withheld: verdict.withheld }),
  };
}

/** A 2026 `tasks/get` result (or the same state in a notification), judged. */
function inspectTask(
  relay: RelayCore,
  tasks: TaskCalls,
  entry: PendingRequest,
  message: Result,
  bytes: Buffer | null,
): Verdict {
  if (completedTaskResult(message.result) !== undefined) {
    return inspectCompleted(relay, tasks, entry, message);
  }
  const verdict = relay.inspect(message, DIRECTION, entry, bytes);
  const reading = readInputRequired(entry, message);
  if (reading.kind !== 'input_required' || reading.task === undefined) return verdict;
  if (verdict.action === 'deny' || verdict.action === 'answer') return verdict;
  const out = verdict.action === 'rewrite' ? verdict.message : message;
  const left = out.kind === 'response' && isObject(out.result) ? out.result.inputRequests : {};
  const mine = Object.keys(reading.requests).filter((key) => !isObject(left) || !(key in left));
  if (tasks.unanswered(reading.task, mine).length > 0) sendOwnUpdate(relay, entry, reading.task);
  return verdict;
}

/**
 * mcp-guard's own `tasks/update` of a task, carrying no answer of the client's: the checks a
 * client's `tasks/update` goes through fill in mcp-guard's answers (policy/roots.ts,
 * policy/server-requests.ts).
 */
function sendOwnUpdate(relay: RelayCore, entry: PendingRequest, taskId: string): void {
  const params = { taskId, inputResponses: {}, _meta: requestMeta(entry.params) };
  const id = 'mcp-guard:tasks/update';
  const body = { jsonrpc: '2.0', id, method: TASK_UPDATE, params };
  const own: RpcMessage = { kind: 'request', id, method: TASK_UPDATE, params, body };
  const verdict = relay.inspect(own, 'client-to-server');
  if (verdict.action === 'deny' || verdict.action === 'answer') return;
  const sent = verdict.action === 'rewrite' ? verdict.message : own;
  if (sent.kind !== 'request' || !isObject(sent.params)) return;
  // Sent as mcp-guard's own: relay.request gives it the era's _meta, declaring nothing.
  const rest = { ...sent.params };
  delete rest._meta;
  relay.request(TASK_UPDATE, rest, relay.options.callTimeout).catch(() => undefined);
}

/** Whether a `tasks/get` result is a task of the stateless era (not a 2025 one). */
function isTask(result: unknown, entry: PendingRequest): boolean {
  return isObject(result) && typeof result.taskId === 'string' && isStatelessRequest(entry);
}

/** A task the policy refused: shown completed, with a tool call's refusal; cancelled at the server. */
function refusedTask(
  relay: RelayCore,
  tasks: TaskCalls,
  entry: PendingRequest,
  message: Result,
  verdict: Extract<Verdict, { action: 'deny' }>,
): Verdict {
  const task = message.result as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of TASK_MEMBERS) if (Object.hasOwn(task, key)) fields[key] = task[key];
  const taskId = task.taskId as string;
  if (tasks.cancel(taskId)) {
    relay.request('tasks/cancel', { taskId }, relay.options.callTimeout).catch(() => undefined);
  }
  const result = resultFor(entry, toolRefusal(verdict));
  return {
    action: 'rewrite',
    message: withResult(message, resultFor(entry, { ...fields, status: 'completed', result })),
  };
}

/** A 2026 `tasks/get` of a completed task: its fields as a `tasks/get`, its result as the tool's. */
function inspectCompleted(
  relay: RelayCore,
  tasks: TaskCalls,
  entry: PendingRequest,
  message: Result,
): Verdict {
  const outer = message.result as Record<string, unknown>;
  const inner = outer.result;
  const fields = { ...outer };
  delete fields.result;
  const around = relay.inspect(withResult(message, fields), DIRECTION, entry);
  if (around.action === 'deny' || around.action === 'answer') return around;
  const call = tasks.callOf(isObject(entry.params) ? entry.params.taskId : undefined, entry.params);
  const judged = relay.inspect(withResult(message, inner), DIRECTION, call);
  let result: unknown = inner;
  if (judged.action === 'deny') {
    relay.records.deny(DIRECTION, judged, message);
    // Only the 2026 tasks extension has this shape: its results carry `resultType`.
    result = resultInEra('stateless', toolRefusal(judged));
  } else if (judged.action === 'rewrite' && judged.message.kind === 'response') {
    result = judged.message.result;
  }
  const cleaned =
    around.action === 'rewrite' && around.message.kind === 'response' ? around.message : null;
  const base = cleaned === null ? fields : (cleaned.result as Record<string, unknown>);
  if (result === inner && cleaned === null) return PASS;
  return { action: 'rewrite', message: withResult(message, { ...base, result }) };
}
