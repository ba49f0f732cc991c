/**
 * What the supervisor needs of a running server — ServerProcess satisfies it, unit tests pass a
 * fake made of three PassThroughs and a promise — and the facts it records about one.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ServerConfig } from '../config/types.js';
import type { Clock, Timer } from './clock.js';
import { maskEnvValues } from './mask-env.js';
import type { Kill } from './restarts.js';
import type { ChildExit, StopReason } from './server-process.js';
import type { TreeUsage } from './tree-usage.js';
import { childExit, childSpawn } from '../audit/event-constructors.js';

export interface SupervisedChild {
  readonly pid: number;
  readonly child: {
    readonly stdin: Writable;
    readonly stdout: Readable;
    readonly stderr: Readable;
  };
  /** Resolves once the process has exited and its stderr has been read. */
  readonly exited: Promise<ChildExit>;
  /** Stops the process and everything it started; resolves with its exit. */
  stop(reason: StopReason): Promise<ChildExit>;
  /** CPU time its process tree has used so far, in ms; null when it cannot be read. */
  cpuMs(): number | null;
  /** CPU and memory of its process tree now; null when they cannot be read. */
  usage?(): TreeUsage | null;
}

/** Audits `child.spawn`: what was started, with the values of the environment masked. */
export function recordSpawn(
  audit: AuditSink,
  server: ServerConfig,
  proc: SupervisedChild,
  restarts: number,
  hostEnv: NodeJS.ProcessEnv,
): void {
  audit.record(
    server.name,
    childSpawn({
      pid: proc.pid,
      command: maskEnvValues([server.command], server.env, hostEnv)[0] ?? '',
      args: maskEnvValues(server.args, server.env, hostEnv),
      cwd: server.cwd,
      restarts: restarts === 0 ? undefined : restarts,
    }),
  );
}

/**
 * Audits `child.exit`, marked `hung` when health checks had it killed, and with `reason:
 * maxMemory`, its RSS and the limit when it was stopped for staying above the limit.
 */
export function recordExit(
  audit: AuditSink,
  server: string,
  proc: SupervisedChild,
  exit: ChildExit,
  kill: Kill | null,
): void {
  const memory = kill?.cause === 'maxMemory' ? kill : undefined;
  audit.record(
    server,
    childExit({
      pid: proc.pid,
      code: exit.code,
      signal: exit.signal,
      forced: exit.forced,
      uptimeMs: exit.uptimeMs,
      hung: kill?.cause === 'hung' ? true : undefined,
      reason: memory?.cause,
      rssBytes: memory?.rssBytes,
      maxMemory: memory?.maxMemory,
    }),
  );
}

/** After the process group is gone, how long its stdout may take to deliver what it wrote. */
const DRAIN_MS = 500;

/** Resolves when the stream has ended, or after DRAIN_MS if something still holds it open. */
export async function drained(stream: Readable, clock: Clock): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  let timer: Timer | undefined;
  const waited = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, DRAIN_MS)));
  timer?.unref();
  await Promise.race([once(stream, 'end').catch(() => undefined), once(stream, 'close'), waited]);
  if (timer !== undefined) clock.clearTimeout(timer);
}

/** How a child ended, in words (`exited with code 1`, `terminated by SIGKILL`). */
export function describeExit(exit: ChildExit): string {
  return exit.signal === null ? `exited with code ${exit.code}` : `terminated by ${exit.signal}`;
}
