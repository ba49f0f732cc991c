/**
 * Building blocks for unit tests of policy checks: messages as the relay classifies them, and
 * check contexts that collect what a check records.
 */
import assert from 'node:assert/strict';
import { fieldsOf } from '../../src/audit/event-constructors.js';
import { ServerCatalog } from '../../src/policy/catalog.js';
import type { CheckContext } from '../../src/policy/pipeline.js';
import type { Verdict } from '../../src/policy/verdict.js';
import { classify, type RpcMessage } from '../../src/protocol/jsonrpc.js';

export interface Recorded {
  event: string;
  fields: Record<string, unknown>;
  level?: string;
}

export function message(value: unknown): RpcMessage {
  const parsed = classify(value);
  assert.ok(parsed.ok, `not a message: ${JSON.stringify(value)}`);
  return parsed.message;
}

export const request = (method: string, params?: unknown, id: number | string = 1): RpcMessage =>
  message({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });

export const notification = (method: string, params?: unknown): RpcMessage =>
  message({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });

export const response = (result: unknown, id: number | string = 1): RpcMessage =>
  message({ jsonrpc: '2.0', id, result });

export const callTool = (name: string, args?: unknown, id: number | string = 1): RpcMessage =>
  request('tools/call', { name, ...(args === undefined ? {} : { arguments: args }) }, id);

/** A context for a client→server message, recording into `records`. */
export function toServer(catalog = new ServerCatalog(), records: Recorded[] = []): CheckContext {
  return {
    direction: 'client-to-server',
    server: 's',
    catalog,
    record: (event) =>
      void records.push({ event: event.name, fields: fieldsOf(event), level: event.level }),
  };
}

/** A context for a server→client message answering `method` (with `params`). */
export function toClient(
  method: string | undefined,
  params: unknown = {},
  catalog = new ServerCatalog(),
  records: Recorded[] = [],
): CheckContext {
  return {
    direction: 'server-to-client',
    server: 's',
    catalog,
    ...(method === undefined ? {} : { request: { method, params } }),
    record: (event) =>
      void records.push({ event: event.name, fields: fieldsOf(event), level: event.level }),
  };
}

/** A catalog that has seen one complete tools/list walk with these tools. */
export function catalogWith(tools: Record<string, unknown>[], kind = 'tools'): ServerCatalog {
  const catalog = new ServerCatalog();
  catalog.observeResult(`${kind}/list`, {}, { [kind]: tools });
  return catalog;
}

/** The verdict's action, and for a deny its rule (for table rows). */
export function outcome(verdict: Verdict): string {
  return verdict.action === 'deny' ? `deny ${verdict.rule}` : verdict.action;
}

/** The rewritten message's body (fails if the verdict is not a rewrite). */
export function rewritten(verdict: Verdict): Record<string, unknown> {
  if (verdict.action !== 'rewrite') assert.fail(`not a rewrite: ${JSON.stringify(verdict)}`);
  return verdict.message.body;
}
