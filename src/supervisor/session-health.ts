/**
 * The health side of a session: one HealthMonitor for each child once it is ready, and the last
 * answered ping, which `status` shows and which outlives the child that answered it; and one
 * ResourceWatch for each child from its spawn (its CPU and memory, `limits.maxMemory`).
 */
import type { AuditSink } from '../audit/audit-sink.js';
import type { ServerConfig } from '../config/types.js';
import type { Clock } from './clock.js';
import { HealthMonitor, type ChildSigns, type HealthProbe } from './health-monitor.js';
import { watchStderr, type StderrTarget } from './stderr-lines.js';
import { ResourceWatch, type ResourceSample } from './resource-watch.js';
import type { Kill } from './restarts.js';
import type { SupervisedChild } from './supervised-child.js';

export interface SessionHealthOptions {
  server: Pick<ServerConfig, 'name' | 'health'> & { limits?: { maxMemory?: number | undefined } };
  clock: Clock;
  audit: AuditSink;
  /** A ping was answered: the session's snapshot changed. */
  onChange(): void;
}

/** The ready child to watch. */
export interface WatchedChild {
  pid: number;
  probe: HealthProbe;
  /** The child is still the session's current one, and ready. */
  isCurrent(): boolean;
  /** It failed `health.failures` pings in a row. */
  onHung(): void;
}

export class SessionHealth {
  readonly #options: SessionHealthOptions;
  #monitor: HealthMonitor | null = null;
  #lastPing: { ms: number; at: number } | null = null;
  #usage: ResourceWatch | null = null;
  #signs: ChildSigns | null = null;

  constructor(options: SessionHealthOptions) {
    this.#options = options;
  }

  /** The last ping any child answered: its round trip in ms, and the wall-clock time. */
  get lastPing(): { ms: number; at: number } | null {
    return this.#lastPing;
  }

  /** Starts pinging `child`, ending the watch of any earlier one. */
  watch(child: WatchedChild): void {
    this.#monitor?.stop();
    const { server, clock, audit } = this.#options;
    this.#monitor = new HealthMonitor({
      health: server.health,
      clock,
      audit,
      server: server.name,
      probe: child.probe,
      pid: child.pid,
      isCurrent: () => child.isCurrent(),
      onAnswer: (ping) => {
        this.#lastPing = ping;
        this.#options.onChange();
      },
      onHung: () => child.onHung(),
    });
    this.#monitor.start();
  }

  /** The child is gone or being stopped: its pings and its samples end. */
  stop(): void {
    this.#monitor?.stop();
    this.#monitor = null;
    this.#usage?.stop();
    this.#usage = null;
  }

  /** The current child's signs of life besides its answers (see health.ts). */
  get signs(): ChildSigns | null {
    return this.#signs;
  }

  /** The current child's last CPU and memory sample. */
  get usage(): ResourceSample | null {
    return this.#usage?.last ?? null;
  }

  /**
   * A child was spawned: its stderr is read (to the audit log and `stderr.echo`), its signs of
   * life kept for the pings, and its tree sampled until stop(); `onOverLimit`: it stayed above
   * `limits.maxMemory`.
   */
  attach(
    child: SupervisedChild,
    stderr: Pick<StderrTarget, 'echo' | 'prefix' | 'onLine'>,
    onOverLimit: (kill: Kill) => void,
  ): void {
    this.stop();
    const { audit, server, clock } = this.#options;
    const target = { audit, server: server.name, ...stderr };
    const lastStderr = watchStderr(child.child.stderr, target, () => clock.now());
    this.#signs = { lastStderr, cpuMs: () => child.cpuMs() };
    this.#usage = new ResourceWatch({
      clock,
      read: () => child.usage?.() ?? null,
      maxMemory: server.limits?.maxMemory,
      onChange: () => this.#options.onChange(),
      onOverLimit: (rssBytes, maxMemory) =>
        onOverLimit({ cause: 'maxMemory', rssBytes, maxMemory }),
    });
  }
}
