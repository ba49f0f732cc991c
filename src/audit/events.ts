/**
 * The audit events' types (SPEC.md section 7): the fields each event carries. Operators and SIEM
 * parsers read the log, so this is a contract: `AuditLog.record` takes only an `AuditEvent` made by
 * a constructor (event-constructors.ts), the catalogue (catalogue.ts) documents every field of
 * these types and no other, the writer writes only the catalogue's fields, and docs/audit.md lists
 * the same events and fields (a test compares them). Never put environment values or redact
 * patterns in any field.
 */

/** `debug`, `info`, `warn` or `error`; `error` only for real failures (a server given up on). */
export type AuditLevel = 'debug' | 'info' | 'warn' | 'error';

/** Which way a message was travelling when it was inspected. */
export type AuditDirection = 'client-to-server' | 'server-to-client';

/** A JSON-RPC id as it appeared on the wire (never rewritten). */
export type AuditRequestId = string | number | null;

/** Why: the TypeScript shape of each event's fields; `AUDIT_CATALOGUE` must list exactly these. */
export interface AuditEventFields {
  'guard.start': {
    version: string;
    pid: number;
    manifest?: string | null;
    command?: string;
    profile?: string;
    servers?: string[];
    anchor?: string;
    env?: string[];
  };
  'guard.stop': { reason: string; exitCode?: number };
  'child.spawn': { pid: number; command: string; args?: string[]; cwd?: string; restarts?: number };
  'child.exit': {
    pid: number;
    code: number | null;
    signal: string | null;
    forced?: boolean;
    uptimeMs?: number;
    hung?: boolean;
    reason?: 'maxMemory';
    rssBytes?: number;
    maxMemory?: number;
  };
  'child.restart': { attempt: number; delayMs: number; reason: string };
  'child.failed': { reason: string };
  'child.stderr': { text: string };
  'health.fail': { pid: number; reason: string; failures: number; of: number };
  'health.skip': { reason: string };
  'server.state': { from: string; to: string; cause: string };
  'session.replay': { pid: number; listsChanged?: string[]; failed?: string };
  'rpc.request': {
    method: string;
    id: AuditRequestId;
    tool?: string;
    direction?: AuditDirection;
    answeredBy?: 'mcp-guard';
    rule?: string;
    retry?: true;
    body?: unknown;
  };
  'rpc.response': {
    method: string;
    id: AuditRequestId;
    tool?: string;
    durationMs: number;
    isError: boolean;
    code?: number;
    rule?: string;
    body?: unknown;
  };
  'rpc.notification': { direction: AuditDirection; method?: string; body?: unknown };
  'policy.deny': {
    rule: string;
    reason: string;
    direction: AuditDirection;
    method?: string;
    id?: AuditRequestId;
    tool?: string;
    enforced?: false;
  };
  'policy.schema': {
    tool: string;
    schema: 'inputSchema' | 'outputSchema';
    reason: string;
    effect: 'not validated';
  };
  'rpc.invalid': { direction: AuditDirection; reason: string; size?: number; id?: AuditRequestId };
  'policy.listing': {
    list: 'tools' | 'prompts';
    outcome: 'cut' | 'failed';
    reason: string;
    items?: number;
  };
  'pin.drift': {
    tool: string;
    change: 'added' | 'removed' | 'changed';
    mode: 'warn' | 'block';
    diff?: string[];
  };
  'pin.lock': {
    action: 'recorded' | 'unreadable' | 'unwritable';
    file: string;
    tools?: number;
    reason?: string;
  };
  'sandbox.applied': {
    backend: string;
    requested: string;
    network: string;
    version?: string;
    reason?: string;
    notes?: string[];
    limits?: string[];
  };
}

export type AuditEventName = keyof AuditEventFields;

/** Why: what `record` accepts; made by the constructors in event-constructors.ts. */
export interface AuditEventOf<E extends AuditEventName> {
  readonly name: E;
  readonly level: AuditLevel;
  readonly fields: AuditEventFields[E];
}

/** Any event of the catalogue. */
export type AuditEvent = { [E in AuditEventName]: AuditEventOf<E> }[AuditEventName];
