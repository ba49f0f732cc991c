/**
 * The audit events (SPEC.md section 7) and the fields each one carries. `recordEvent` gives call
 * sites type checking and the event's usual level; `AuditLog.record` stays open for extras.
 * Never put environment values or redact patterns in any field.
 */
import type { AuditLevel, AuditLog } from './audit-log.js';

/** Which way a message was travelling when it was inspected. */
export type AuditDirection = 'client-to-server' | 'server-to-client';

/** A JSON-RPC id as it appeared on the wire (never rewritten). */
export type AuditRequestId = string | number | null;

/** Why: one field list per event is the log's schema, checked at every call site. */
export interface AuditEventFields {
  'guard.start': {
    version: string;
    pid: number;
    command?: string;
    manifest?: string | null;
    profile?: string;
  };
  'guard.stop': { reason: string; signal?: string | null; exitCode?: number };
  /** `args` as configured: the caller masks any argument that came from `${env:…}`. */
  'child.spawn': { pid: number; command: string; args?: string[]; cwd?: string; restarts?: number };
  'child.exit': {
    pid: number;
    code: number | null;
    signal: string | null;
    forced?: boolean;
    uptimeMs?: number;
    /** Killed because health checks found it hung. */
    hung?: boolean;
  };
  'child.restart': { attempt: number; delayMs: number; reason: string };
  'child.failed': { reason: string };
  'child.stderr': { text: string };
  'health.fail': { pid: number; reason: string; failures: number; of: number };
  /** A ping discarded, not counted: the clocks say the machine slept or the clock was set. */
  'health.skip': { reason: string };
  /** A move of the supervisor's state machine (docs/supervision.md). */
  'server.state': { from: string; to: string; cause: string };
  /** The client's session replayed on a new child, or why that failed. */
  'session.replay': { pid: number; listsChanged?: string[]; failed?: string };
  'rpc.request': { method: string; id: AuditRequestId; tool?: string; body?: unknown };
  'rpc.response': {
    method: string;
    id: AuditRequestId;
    tool?: string;
    durationMs: number;
    isError: boolean;
    /** The JSON-RPC error code, when the reply was an error. */
    code?: number;
    body?: unknown;
  };
  'rpc.notification': { direction: AuditDirection; method?: string | undefined; body?: unknown };
  /** `enforced: false` records what the `observe` profile would have denied. */
  'policy.deny': {
    rule: string;
    reason: string;
    direction: AuditDirection;
    method?: string | undefined;
    id?: AuditRequestId;
    tool?: string;
    enforced?: boolean;
  };
  'rpc.invalid': {
    direction: AuditDirection;
    reason: string;
    size?: number;
    id?: AuditRequestId;
  };
  /** `diff`: one readable line per changed part of the definition (`path: old → new`). */
  'pin.drift': {
    tool: string;
    change: 'added' | 'removed' | 'changed';
    mode: 'warn' | 'block';
    diff?: string[];
  };
  /** `mcp-guard.lock` recorded on first use, or found unreadable or unwritable. */
  'pin.lock': {
    action: 'recorded' | 'unreadable' | 'unwritable';
    file: string;
    tools?: number;
    reason?: string;
  };
  /** A tool's advertised schema does not compile: its calls (or results) pass unvalidated. */
  'policy.schema': {
    tool: string;
    schema: 'inputSchema' | 'outputSchema';
    reason: string;
    effect: 'not validated';
  };
  'sandbox.applied': { backend: string; network?: string; version?: string; reason?: string };
}

export type AuditEventName = keyof AuditEventFields;

/** Why: `logs`, docs and tests enumerate the events from one place. */
export const AUDIT_EVENTS: readonly AuditEventName[] = [
  'guard.start',
  'guard.stop',
  'child.spawn',
  'child.exit',
  'child.restart',
  'child.failed',
  'child.stderr',
  'health.fail',
  'health.skip',
  'server.state',
  'session.replay',
  'rpc.request',
  'rpc.response',
  'rpc.notification',
  'policy.deny',
  'policy.schema',
  'rpc.invalid',
  'pin.drift',
  'pin.lock',
  'sandbox.applied',
];

/** Why: `error` is kept for real failures (a server given up on); the rest is info or warn. */
export const DEFAULT_LEVELS: Readonly<Record<AuditEventName, AuditLevel>> = {
  'guard.start': 'info',
  'guard.stop': 'info',
  'child.spawn': 'info',
  'child.exit': 'info',
  'child.restart': 'warn',
  'child.failed': 'error',
  'child.stderr': 'info',
  'health.fail': 'warn',
  'health.skip': 'info',
  'server.state': 'info',
  'session.replay': 'info',
  'rpc.request': 'info',
  'rpc.response': 'info',
  'rpc.notification': 'debug',
  'policy.deny': 'warn',
  'policy.schema': 'warn',
  'rpc.invalid': 'warn',
  'pin.drift': 'warn',
  'pin.lock': 'info',
  'sandbox.applied': 'info',
};

/** Why: a typed front door to `AuditLog.record` with each event's usual level. */
export function recordEvent<E extends AuditEventName>(
  log: Pick<AuditLog, 'record'>,
  server: string,
  event: E,
  fields: AuditEventFields[E],
  level: AuditLevel = DEFAULT_LEVELS[event],
): void {
  log.record(server, event, fields, level);
}
