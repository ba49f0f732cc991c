/**
 * The shapes tasks give results (2025-11-25's experimental tasks; the 2026-07-28 tasks extension,
 * `io.modelcontextprotocol/tasks`). A task-augmented `tools/call` is first answered with a handle
 * — `{task: {taskId, …}}` (2025), `{resultType: "task", taskId, …}` (2026) — not with the tool's
 * result; the tool's result comes later: as the whole result of `tasks/result` (2025), or as the
 * `result` member of a `tasks/get` result whose status is `completed` (2026).
 */
import { isObject } from '../protocol/jsonrpc.js';

/** The task id of a `tools/call` result that is a task handle, not the tool's result. */
export function taskHandleId(result: unknown): string | undefined {
  if (!isObject(result)) return undefined;
  if (result.resultType === 'task' && typeof result.taskId === 'string') return result.taskId;
  const task = result.task;
  if (result.content === undefined && isObject(task) && typeof task.taskId === 'string') {
    return task.taskId;
  }
  return undefined;
}

/** The tool's own result inside a 2026 `tasks/get` result of a completed task. */
export function completedTaskResult(result: unknown): Record<string, unknown> | undefined {
  if (!isObject(result) || result.status !== 'completed') return undefined;
  return isObject(result.result) ? result.result : undefined;
}
