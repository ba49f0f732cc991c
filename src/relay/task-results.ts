/**
 * Task results pass the output checks a `tools/call` result gets (outputSchema, maxResultBytes,
 * redaction, stripControl). mcp-guard learns which call a task belongs to from the handle the
 * server answered the `tools/call` with, and judges the tool's result, when it comes, as the
 * answer to that call: a 2025-11-25 `tasks/result` as a whole, a 2026 `tasks/get` of a completed
 * task by its `result` member (the task's own fields around it are judged as a `tasks/get`).
 * A refused tool result is replaced by the refusal a `tools/call` gets (`isError: true`).
 */
import { isObject, type RpcMessage } from '../protocol/jsonrpc.js';
import { withResult } from '../policy/message.js';
import { toolRefusal } from '../policy/refusal.js';
import { completedTaskResult, taskHandleId } from '../policy/task-shapes.js';
import { PASS, type Verdict } from '../policy/verdict.js';
import type { PendingRequest } from './pending.js';
import type { RelayCore } from './sides.js';

type Response = Extract<RpcMessage, { kind: 'response' | 'error' }>;
type Request = { method: string; params: unknown };

const DIRECTION = 'server-to-client';
/** Tasks remembered; past this the oldest is forgotten (its result is judged without its tool). */
const MAX_TASKS = 1000;

/** The `tools/call` params of each task the server made of one, by task id. */
export class TaskCalls {
  readonly #calls = new Map<string, unknown>();

  learn(taskId: string, params: unknown): void {
    this.#calls.delete(taskId);
    this.#calls.set(taskId, params);
    if (this.#calls.size > MAX_TASKS) {
      const oldest = this.#calls.keys().next().value;
      if (oldest !== undefined) this.#calls.delete(oldest);
    }
  }

  /** The call a task's result answers (its tool unknown: params without a name). */
  callOf(taskId: unknown): Request {
    const params = typeof taskId === 'string' ? this.#calls.get(taskId) : undefined;
    return { method: 'tools/call', params: params ?? {} };
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
    } else if (entry.method === 'tasks/get' && completedTaskResult(message.result) !== undefined) {
      return { verdict: inspectCompleted(relay, tasks, entry, message), method: entry.method };
    }
  }
  // The request as sent: the pending entry holds its method and params (no copy per answer).
  return { verdict: relay.inspect(message, DIRECTION, entry, bytes), method: entry.method };
}

/** A 2026 `tasks/get` of a completed task: its fields as a `tasks/get`, its result as the tool's. */
function inspectCompleted(
  relay: RelayCore,
  tasks: TaskCalls,
  entry: PendingRequest,
  message: Extract<RpcMessage, { kind: 'response' }>,
): Verdict {
  const outer = message.result as Record<string, unknown>;
  const inner = outer.result;
  const fields = { ...outer };
  delete fields.result;
  const around = relay.inspect(withResult(message, fields), DIRECTION, {
    method: entry.method,
    params: entry.params,
  });
  if (around.action === 'deny' || around.action === 'answer') return around;
  const call = tasks.callOf(isObject(entry.params) ? entry.params.taskId : undefined);
  const judged = relay.inspect(withResult(message, inner), DIRECTION, call);
  let result: unknown = inner;
  if (judged.action === 'deny') {
    relay.records.deny(DIRECTION, judged, message);
    // Only the 2026 tasks extension has this shape: its results carry `resultType`.
    result = { ...toolRefusal(judged), resultType: 'complete' };
  } else if (judged.action === 'rewrite' && judged.message.kind === 'response') {
    result = judged.message.result;
  }
  const cleaned =
    around.action === 'rewrite' && around.message.kind === 'response' ? around.message : null;
  const base = cleaned === null ? fields : (cleaned.result as Record<string, unknown>);
  if (result === inner && cleaned === null) return PASS;
  return { action: 'rewrite', message: withResult(message, { ...base, result }) };
}
