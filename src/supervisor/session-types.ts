/**
 * The shapes a GuardSession is made from and reports (its options, events, end and snapshot), and
 * the relay it is built around.
 */
import type { Readable, Writable } from 'node:stream';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ServerConfig } from '../config/types.js';
import type { Pipeline } from '../policy/pipeline.js';
import { Relay } from '../relay/relay.js';
import type { Clock } from './clock.js';
import type { ResourceSample } from './resource-watch.js';
import { replayTimeout } from './replay.js';
import type { ChildExit } from './server-process.js';
import type { ServerState } from './server-state.js';
import type { SupervisedChild } from './supervised-child.js';

export type EndReason = 'client-eof' | 'signal' | 'server-exit' | 'client-gone';

export interface SessionEnd {
  reason: EndReason;
  /** The last child's exit, if a child was running when the session ended. */
  exit: ChildExit | null;
  exitCode: 0 | 1;
}

/** What `status` and `up` show about a server. */
export interface SessionSnapshot {
  server: string;
  state: ServerState;
  /** The current child's pid, if one is running. */
  pid: number | null;
  /** When the current child was spawned (epoch ms), if one is running: its uptime is now − this. */
  since: number | null;
  restarts: number;
  /** The last ping's round trip (ms) and when it was answered (epoch ms). */
  lastPing: { ms: number; at: number } | null;
  calls: number;
  denials: number;
  /** CPU and memory of the current child's process tree (last sample); null: none or n/a. */
  usage: ResourceSample | null;
  /** Why the server is restarting, failed or stopped, when it is. */
  reason: string | null;
}

export interface GuardSessionOptions {
  server: ServerConfig;
  client: { input: Readable; output: Writable };
  audit: AuditSink;
  pipeline: Pipeline;
  /** The first child, already started (spawning first keeps `run`'s startup short), or why not. */
  process: SupervisedChild | Error;
  /** Starts a new child (restarts, retries while failed). */
  launch: () => Promise<SupervisedChild>;
  /** Where the server's stderr lines are echoed (besides the audit log). */
  stderr: Writable | null;
  /** mcp-guard's own environment, whose values are kept out of the audit log. */
  hostEnv?: NodeJS.ProcessEnv;
  /** Prefix for echoed stderr lines (`up` names the server; `run` passes lines as they are). */
  stderrPrefix?: string;
  /** An ad-hoc `run -- CMD`: fixes are named as flags, not manifest keys (fix-hints.ts). */
  adHoc?: boolean;
  /** Whether a host path is a folder (fix-hints.ts; tests pass their own). */
  isDirectory?: (path: string) => boolean;
  /** Uniform in [0, 1): the backoff's jitter (tests pass a constant). */
  random?: () => number;
  /** Time and timers (tests pass a fake clock). */
  clock?: Clock;
}

export interface SessionEvents {
  /** The state, the child, or a figure of the snapshot changed. */
  change: [];
}

/** The relay between the session's client and its current child; `state` names the server's. */
export function createSessionRelay(
  options: GuardSessionOptions,
  state: () => string,
  onCount?: () => void,
): Relay {
  return new Relay({
    server: options.server.name,
    client: options.client,
    maxMessageBytes: options.server.limits.maxMessageBytes,
    audit: options.audit,
    pipeline: options.pipeline,
    callTimeout: options.server.limits.callTimeout,
    state,
    ownListing: { timeoutMs: replayTimeout(options.server) },
    ...(onCount === undefined ? {} : { onCount }),
  });
}

/** Where the child's stderr lines are echoed (besides the audit log), and with what before each. */
export function stderrEcho(options: GuardSessionOptions): {
  echo: Writable | null;
  prefix: string;
} {
  return { echo: options.stderr, prefix: options.stderrPrefix ?? '' };
}
