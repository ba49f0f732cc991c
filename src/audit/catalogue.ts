/**
 * The audit catalogue: every event, its level, what it means, and every field it carries with
 * what the field means. The types force it to list exactly the fields of `AuditEventFields`,
 * optional exactly where they are; the writer writes these fields in this order and no other
 * (record-shape.ts); docs/audit.md is checked against it by a test.
 */
import type { EventDoc } from './event-doc.js';
import type { AuditEventName } from './events.js';

export type { EventDoc, FieldDoc } from './event-doc.js';

const REQUEST_ID = {
  doc: 'the JSON-RPC id as the client (or server) sent it, never rewritten',
} as const;
const TOOL = {
  doc: 'for `tools/call`: the tool named in the call',
  optional: true,
} as const;
const BODY = {
  doc: 'the message as relayed (after redaction); only with `audit.bodies: true`',
  optional: true,
} as const;
const DIRECTION = { doc: '`client-to-server` or `server-to-client`' } as const;

/** Why: the documented catalogue is the code's catalogue; the writer and docs/audit.md follow it. */
export const AUDIT_CATALOGUE: { readonly [E in AuditEventName]: EventDoc<E> } = {
  'guard.start': {
    level: 'info',
    summary: 'an mcp-guard process opened the log (`run`, `up`, `pin`)',
    fields: {
      version: { doc: "mcp-guard's version" },
      pid: { doc: "mcp-guard's own process id" },
      manifest: {
        doc: 'absolute path of the manifest; null for an ad-hoc `run -- CMD`',
        optional: true,
      },
      command: { doc: 'the command, when not `run` (`up`, `pin`, `pin --check`)', optional: true },
      profile: { doc: 'the profile in use (`run`)', optional: true },
      servers: { doc: 'the servers the command works on (`up`, `pin`)', optional: true },
      anchor: {
        doc: 'the anchor file the session seals its head in (`audit.anchor`), when there is one',
        optional: true,
      },
      env: {
        doc: 'the variables `run --env` passes on to the server, by name (values are never logged)',
        optional: true,
      },
    },
  },
  'guard.stop': {
    level: 'info',
    summary: 'the process is about to close the log; its last record when it ends cleanly',
    fields: {
      reason: { doc: 'why it ended (`stdin-eof`, `signal`, `server-exit`, `up finished`, …)' },
      exitCode: { doc: 'the exit status mcp-guard ends with (`run`)', optional: true },
    },
  },
  'child.spawn': {
    level: 'info',
    summary: 'a server process was started',
    fields: {
      pid: { doc: "the child's process id" },
      command: { doc: 'the command as configured (a value from `${env:…}` masked)' },
      args: { doc: 'its arguments as configured (values from `${env:…}` masked)', optional: true },
      cwd: { doc: 'its working folder', optional: true },
      restarts: {
        doc: 'how many restarts came before this start (absent on the first)',
        optional: true,
      },
    },
  },
  'child.exit': {
    level: 'info',
    summary: 'a server process ended',
    fields: {
      pid: { doc: "the child's process id" },
      code: { doc: 'its exit status, or null when a signal ended it' },
      signal: { doc: 'the signal that ended it (`SIGTERM`, …), or null' },
      forced: { doc: 'true when mcp-guard had to SIGKILL it', optional: true },
      uptimeMs: { doc: 'how long it ran, in ms', optional: true },
      hung: { doc: 'true when it was killed because health checks found it hung', optional: true },
      reason: {
        doc: '`maxMemory` when it was stopped because its process tree stayed above `limits.maxMemory`',
        optional: true,
      },
      rssBytes: {
        doc: "with `reason`: its process tree's RSS in the last sample, in bytes",
        optional: true,
      },
      maxMemory: { doc: 'with `reason`: the limit it was held to, in bytes', optional: true },
    },
  },
  'child.restart': {
    level: 'warn',
    summary: 'the server will be started again after a delay',
    fields: {
      attempt: { doc: 'the restart count within the restart window (1, 2, …)' },
      delayMs: { doc: 'the backoff before the next start, in ms' },
      reason: { doc: 'why the child ended' },
    },
  },
  'child.failed': {
    level: 'error',
    summary: 'the server is given up on (restart limit reached, or it cannot be started)',
    fields: { reason: { doc: 'why' } },
  },
  'child.stderr': {
    level: 'info',
    summary: "one line of the server's stderr",
    fields: { text: { doc: 'the line (at most 4,096 characters)' } },
  },
  'health.fail': {
    level: 'warn',
    summary: 'a health ping failed',
    fields: {
      pid: { doc: "the child's process id" },
      reason: { doc: 'what failed (timeout, error reply)' },
      failures: { doc: 'consecutive failures so far' },
      of: { doc: 'how many consecutive failures make the server hung (`health.failures`)' },
    },
  },
  'health.skip': {
    level: 'info',
    summary:
      'a ping was discarded, not counted: the clocks say the machine slept or the clock was set',
    fields: { reason: { doc: 'the clock jump seen' } },
  },
  'server.state': {
    level: 'info',
    summary: "a move of the supervisor's state machine (see supervision.md)",
    fields: {
      from: { doc: 'the state before' },
      to: { doc: 'the state after' },
      cause: { doc: 'the event that moved it' },
    },
  },
  'session.replay': {
    level: 'info',
    levelNote: '`warn` when `failed`',
    summary: "the client's session was replayed on a new child, or the replay failed",
    fields: {
      pid: { doc: "the new child's process id" },
      listsChanged: {
        doc: 'the lists (`tools`, `prompts`, …) that differ from before',
        optional: true,
      },
      failed: { doc: 'why the replay failed (the child is stopped)', optional: true },
    },
  },
  'rpc.request': {
    level: 'info',
    summary:
      'a request was forwarded to the server, sent again to a new child (`retry`), or answered by mcp-guard itself (`answeredBy`)',
    fields: {
      method: { doc: 'the JSON-RPC method' },
      id: REQUEST_ID,
      tool: TOOL,
      direction: {
        doc: 'which way the request went; only when mcp-guard answered it',
        optional: true,
      },
      answeredBy: {
        doc: '`mcp-guard` when mcp-guard answered it instead of its peer',
        optional: true,
      },
      rule: { doc: 'the rule that answered it (with `answeredBy`)', optional: true },
      retry: {
        doc: 'true when it is a request in flight when its child died, sent again to the next one',
        optional: true,
      },
      body: BODY,
    },
  },
  'rpc.response': {
    level: 'info',
    summary:
      "a client request was answered: by the server, by a refusal of the server's reply, or by mcp-guard (timeout, server stopped)",
    fields: {
      method: { doc: "the request's method" },
      id: REQUEST_ID,
      tool: TOOL,
      durationMs: { doc: 'ms from forwarding the request to answering it, to 0.1 ms' },
      isError: { doc: 'true for an error reply or a tool result with `isError: true`' },
      code: {
        doc: 'the JSON-RPC error code, when mcp-guard answered with an error',
        optional: true,
      },
      rule: {
        doc: "the rule behind mcp-guard's answer (`callTimeout`, or the refusing rule)",
        optional: true,
      },
      body: BODY,
    },
  },
  'rpc.notification': {
    level: 'debug',
    summary: 'a notification from the client (only with `audit.bodies`)',
    fields: {
      direction: DIRECTION,
      method: { doc: 'the notification method', optional: true },
      body: BODY,
    },
  },
  'policy.deny': {
    level: 'warn',
    summary:
      'a message refused (or, with `enforced: false`, what the `observe` profile would have refused)',
    fields: {
      rule: { doc: 'the rule that refused it (`tools.deny`, `paths`, …); see policy.md' },
      reason: { doc: 'why, in words' },
      direction: DIRECTION,
      method: { doc: 'the method (of the request, for a refused response)', optional: true },
      id: { doc: 'the JSON-RPC id (not for notifications)', optional: true },
      tool: TOOL,
      enforced: { doc: 'false when the refusal was only observed, not applied', optional: true },
    },
  },
  'policy.schema': {
    level: 'warn',
    summary: "a tool's advertised schema does not compile: its calls (or results) pass unvalidated",
    fields: {
      tool: { doc: 'the tool' },
      schema: { doc: '`inputSchema` or `outputSchema`' },
      reason: { doc: "the compiler's complaint" },
      effect: { doc: 'always `not validated`' },
    },
  },
  'rpc.invalid': {
    level: 'warn',
    summary: 'a line that is not a valid message, or a response nobody asked for',
    fields: {
      direction: DIRECTION,
      reason: { doc: 'what is wrong with it' },
      size: { doc: 'its size in bytes', optional: true },
      id: { doc: 'the id it seems to carry, or null', optional: true },
    },
  },
  'policy.listing': {
    level: 'warn',
    summary:
      "mcp-guard's own listing of the server's tools or prompts is incomplete: cut at its bound or failed; a call naming what it has not seen is refused",
    fields: {
      list: { doc: '`tools` or `prompts`' },
      outcome: {
        doc: '`cut` (100 pages, 10,000 items or a repeated cursor) or `failed` (an error, a malformed or missing answer)',
      },
      reason: { doc: 'what stopped it, in words' },
      items: { doc: 'how many items it kept (`cut`)', optional: true },
    },
  },
  'pin.drift': {
    level: 'warn',
    summary: "a tool's definition differs from `mcp-guard.lock`",
    fields: {
      tool: { doc: 'the tool' },
      change: { doc: '`added`, `removed` or `changed`' },
      mode: { doc: '`warn` or `block` (`tools.pin`)' },
      diff: {
        doc: 'one line per changed part of the definition (`path: old → new`)',
        optional: true,
      },
    },
  },
  'pin.lock': {
    level: 'info',
    levelNote: '`warn` when `unreadable` or `unwritable`',
    summary: '`mcp-guard.lock` recorded on first use, or found unreadable or unwritable',
    fields: {
      action: { doc: '`recorded`, `unreadable` or `unwritable`' },
      file: { doc: 'the lock file' },
      tools: { doc: 'how many tools were recorded', optional: true },
      reason: { doc: 'why it could not be read or written', optional: true },
    },
  },
  'sandbox.applied': {
    level: 'info',
    summary: 'the sandbox decision of a launch (every start and restart of a server)',
    fields: {
      backend: { doc: 'the backend used (`bwrap`, `sandbox-exec`, `none`)' },
      requested: { doc: '`sandbox.mode` as configured' },
      network: { doc: '`sandbox.network` as configured (enforced only with a backend)' },
      version: { doc: "the backend's version", optional: true },
      reason: { doc: 'why it runs unconfined although a sandbox was requested', optional: true },
      notes: { doc: 'what the backend could not fully honour', optional: true },
      limits: {
        doc: 'what this backend never confines that bubblewrap does (Landlock: processes, IPC, …)',
        optional: true,
      },
    },
  },
};

/** Why: `logs`, docs and tests enumerate the events from one place. */
export const AUDIT_EVENTS = Object.keys(AUDIT_CATALOGUE) as readonly AuditEventName[];
