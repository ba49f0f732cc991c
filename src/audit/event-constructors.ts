/**
 * One constructor per audit event: the only way to make what `AuditLog.record` accepts. Each
 * takes the event's fields (an optional one may be passed as undefined: it is left out) and picks
 * the event's level, so call sites say what happened and nothing about the log's format.
 */
import { performance } from 'node:perf_hooks';
import { AUDIT_CATALOGUE } from './catalogue.js';
import { FIELD_ORDER } from './record-shape.js';
import type {
  AuditEvent,
  AuditEventFields as Fields,
  AuditEventName,
  AuditEventOf,
  AuditLevel,
  AuditRequestId,
} from './events.js';

/** Why: call sites may pass `tool: maybeTool`; the writer leaves an undefined field out. */
export type Loose<F> = {
  [K in keyof F]: F[K] | (Partial<Pick<F, K>> extends Pick<F, K> ? undefined : never);
};

function make<E extends AuditEventName>(
  name: E,
  fields: Loose<Fields[E]>,
  level: AuditLevel = AUDIT_CATALOGUE[name].level,
): AuditEventOf<E> {
  return { name, level, fields: fields as Fields[E] };
}

export const guardStart = (fields: Loose<Fields['guard.start']>) => make('guard.start', fields);
export const guardStop = (fields: Loose<Fields['guard.stop']>) => make('guard.stop', fields);
export const childSpawn = (fields: Loose<Fields['child.spawn']>) => make('child.spawn', fields);
export const childExit = (fields: Loose<Fields['child.exit']>) => make('child.exit', fields);
export const childRestart = (fields: Fields['child.restart']) => make('child.restart', fields);
export const childFailed = (reason: string) => make('child.failed', { reason });
export const childStderr = (text: string) => make('child.stderr', { text });
export const healthFail = (fields: Fields['health.fail']) => make('health.fail', fields);
export const healthSkip = (reason: string) => make('health.skip', { reason });
export const serverState = (fields: Fields['server.state']) => make('server.state', fields);

/** `warn` when the replay failed. */
export const sessionReplay = (fields: Loose<Fields['session.replay']>) =>
  make('session.replay', fields, fields.failed === undefined ? 'info' : 'warn');

export const rpcRequest = (fields: Loose<Fields['rpc.request']>) => make('rpc.request', fields);

/** Why: what `rpc.response` needs to know about the request it answers. */
export interface AnsweredRequest {
  method: string;
  id: AuditRequestId;
  tool?: string | undefined;
  /** performance.now() when the request was (first) forwarded. */
  startedAt: number;
}

/** How a request was answered. */
export interface Answer {
  isError: boolean;
  /** The JSON-RPC error code, when mcp-guard answered with an error. */
  code?: number;
  /** The rule behind mcp-guard's own answer. */
  rule?: string;
  body?: unknown;
}

/**
 * Why: the one place `rpc.response` is built, so every answer — the server's, a refusal, a
 * timeout, a stopped server — has the same duration rounding (0.1 ms) and field order.
 */
export function rpcResponse(
  request: AnsweredRequest,
  answer: Answer,
  now: number = performance.now(),
): AuditEventOf<'rpc.response'> {
  return make('rpc.response', {
    method: request.method,
    id: request.id,
    tool: request.tool,
    durationMs: Math.round((now - request.startedAt) * 10) / 10,
    isError: answer.isError,
    code: answer.code,
    rule: answer.rule,
    body: answer.body,
  });
}

export const rpcNotification = (fields: Loose<Fields['rpc.notification']>) =>
  make('rpc.notification', fields);
export const policyDeny = (fields: Loose<Fields['policy.deny']>) => make('policy.deny', fields);
export const policySchema = (fields: Fields['policy.schema']) => make('policy.schema', fields);
export const rpcInvalid = (fields: Loose<Fields['rpc.invalid']>) => make('rpc.invalid', fields);
export const policyListing = (fields: Loose<Fields['policy.listing']>) =>
  make('policy.listing', fields);
export const pinDrift = (fields: Loose<Fields['pin.drift']>) => make('pin.drift', fields);

/** `warn` when the lock could not be read or written. */
export const pinLock = (fields: Loose<Fields['pin.lock']>) =>
  make('pin.lock', fields, fields.action === 'recorded' ? 'info' : 'warn');

/** Why: a launch's sandbox decision as the sandbox describes it (null and [] mean "none"). */
export interface SandboxDecision {
  backend: string;
  requested: string;
  network: string;
  version: string | null;
  reason: string | null;
  notes: readonly string[];
  /** What the backend never confines that bubblewrap does (absent: nothing to say). */
  limits?: readonly string[] | undefined;
}

export function sandboxApplied(applied: SandboxDecision): AuditEventOf<'sandbox.applied'> {
  return make('sandbox.applied', {
    backend: applied.backend,
    requested: applied.requested,
    network: applied.network,
    version: applied.version ?? undefined,
    reason: applied.reason ?? undefined,
    notes: applied.notes.length === 0 ? undefined : [...applied.notes],
    limits: applied.limits === undefined ? undefined : [...applied.limits],
  });
}

/** Why: the fields as the writer writes them (catalogue order, undefined left out), for tests. */
export function fieldsOf(event: AuditEvent): Record<string, unknown> {
  const fields = event.fields as Readonly<Record<string, unknown>>;
  const written: Record<string, unknown> = {};
  for (const key of FIELD_ORDER[event.name]) {
    if (fields[key] !== undefined) written[key] = fields[key];
  }
  return written;
}
