/**
 * Starting a guarded session, the one way `run`, `up` and `pin` do it: the launch (sandbox
 * decision, spawn, `sandbox.applied`), then a GuardSession in front of the child with its policy
 * pipeline and relaunches, the client's streams (this process's stdio, or mcp-guard's own
 * in-process client) and the server's stderr. The heavy modules load while the server boots, so
 * `run` spawns before anything but the spawn has been paid for.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { AuditLog } from '../audit/audit-log.js';
import { guardStart, sandboxApplied } from '../audit/event-constructors.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import type { Pipeline } from '../policy/pipeline.js';
import type { LineClient } from '../relay/own-requests.js';
import { launchServer, relaunchFor, type Launched } from '../supervisor/launch.js';
import type { SandboxApplied } from '../sandbox/types.js';
import type { GuardSession } from '../supervisor/guard-session.js';
import type { HandshakeResult } from '../supervisor/handshake.js';
import { VERSION } from '../version.js';
import { warnOnceOnAuditFailure } from './audit-warning.js';

/** How long `up` and `pin` give a server to answer their handshake. */
const HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * Why: `run`, `up` and `pin` open the audit log the same way and say first who started it; the
 * log's own failures are warned about once and relaying goes on.
 */
export async function openGuardAudit(
  manifest: ResolvedManifest,
  server: string,
  fields: Omit<Parameters<typeof guardStart>[0], 'version' | 'pid'>,
  chain: { session?: string; remote?: string } = {},
): Promise<AuditLog> {
  const [{ openAuditLog }, { auditSecrets }] = await Promise.all([
    import('../audit/audit-log.js'),
    import('./audit-secrets.js'),
  ]);
  const audit = await openAuditLog(manifest.audit, {
    onError: warnOnceOnAuditFailure(),
    secrets: auditSecrets(manifest, process.env),
    ...chain,
  });
  audit.record(
    server,
    guardStart({
      version: VERSION,
      pid: process.pid,
      ...fields,
      anchor: manifest.audit.file === '-' ? undefined : manifest.audit.anchor,
    }),
  );
  return audit;
}

export interface GuardedLaunch extends Launched {
  server: ServerConfig;
  manifest: ResolvedManifest;
  audit: AuditLog;
}

/** Why: one launch of a manifest server, audited as every launch is (`sandbox.applied`). */
export async function launchGuarded(
  server: ServerConfig,
  manifest: ResolvedManifest,
  audit: AuditLog | Promise<AuditLog>,
): Promise<GuardedLaunch> {
  // The log opens while the server spawns; the launch is recorded once both are done.
  const [launched, log] = await Promise.all([launchServer(server, manifest, process.env), audit]);
  log.record(server.name, sandboxApplied(launched.plan.sandbox));
  return { ...launched, server, manifest, audit: log };
}

export interface SessionOptions {
  /** The client's streams; without them, mcp-guard's own client talks to the session. */
  stdio?: { input: Readable; output: Writable };
  /** The policy between client and server; by default the server's own from the manifest. */
  pipeline?: Pipeline;
  /** Where the server's stderr lines are echoed, and with what in front of each. */
  stderr: Writable;
  stderrPrefix?: string;
  /** Called with the launch before the session starts (what `run` tells the user about it). */
  onLaunch?: (launched: GuardedLaunch) => void;
}

export interface Guarded {
  server: ServerConfig;
  audit: AuditLog;
  sandbox: SandboxApplied;
  session: GuardSession;
  /** mcp-guard's own client, when the session was started without `stdio`. */
  client: LineClient | null;
}

/** Why: the modules a session needs, loaded once, while a launch is under way. */
function sessionModules() {
  return Promise.all([
    import('../supervisor/guard-session.js'),
    import('../policy/server-pipeline.js'),
  ]);
}

/** Why: `up` and `pin` talk to a session in-process: two pipes, and mcp-guard's own client. */
async function ownClient(maxMessageBytes: number): Promise<{
  stdio: { input: Readable; output: Writable };
  client: LineClient;
}> {
  const { LineClient } = await import('../relay/own-requests.js');
  const toRelay = new PassThrough();
  const fromRelay = new PassThrough();
  const client = new LineClient({ input: fromRelay, output: toRelay }, maxMessageBytes);
  return { stdio: { input: toRelay, output: fromRelay }, client };
}

/** Puts a GuardSession in front of a launched child (or one that could not start: it retries). */
export async function superviseGuarded(
  launched: GuardedLaunch,
  options: SessionOptions,
): Promise<Guarded> {
  const [{ GuardSession }, { createServerPipeline }] = await sessionModules();
  const { server, manifest, audit } = launched;
  const { stdio, client } =
    options.stdio === undefined
      ? await ownClient(server.limits.maxMessageBytes)
      : { stdio: options.stdio, client: null };
  const session = new GuardSession({
    server,
    client: stdio,
    audit,
    pipeline:
      options.pipeline ??
      createServerPipeline(server, {
        manifestFile: manifest.file,
        observe: server.observe,
      }),
    process: launched.process,
    launch: relaunchFor(server, manifest, process.env, audit),
    adHoc: manifest.file === null,
    stderr: options.stderr,
    ...(options.stderrPrefix === undefined ? {} : { stderrPrefix: options.stderrPrefix }),
  });
  return { server, audit, sandbox: launched.plan.sandbox, session, client };
}

/** Why: the launch and the session's modules load side by side; then the session starts. */
export async function startGuarded(
  server: ServerConfig,
  manifest: ResolvedManifest,
  audit: AuditLog | Promise<AuditLog>,
  options: SessionOptions,
): Promise<Guarded> {
  const [launched] = await Promise.all([launchGuarded(server, manifest, audit), sessionModules()]);
  options.onLaunch?.(launched);
  return superviseGuarded(launched, options);
}

/** The MCP handshake through the session, by mcp-guard's own client (`up`, `pin`). */
export async function handshake(guarded: Guarded): Promise<HandshakeResult> {
  if (guarded.client === null) throw new Error('the session has a client of its own');
  const { performHandshake } = await import('../supervisor/handshake.js');
  return performHandshake(guarded.client, VERSION, HANDSHAKE_TIMEOUT_MS);
}
