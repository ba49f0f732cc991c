/**
 * The health side of a session: one HealthMonitor for each child once it is ready, and the last
 * answered ping, which `status` shows and which outlives the child that answered it.
 */
import type { AuditSink } from '../audit/audit-sink.js';
import type { ServerConfig } from '../config/types.js';
import type { Clock } from './clock.js';
import { HealthMonitor, type HealthProbe } from './health-monitor.js';

export interface SessionHealthOptions {
  server: Pick<ServerConfig, 'name' | 'health'>;
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

  constructor(options: SessionHealthOptions) {
    this.#options = options;
  }

  /** The last ping any child answered: its round trip in ms, and the wall-clock time. */
  get lastPing(): { ms: number; at: number } | null {
    return this.#lastPing;
  }

  /** Starts pinging `child`, ending the watch of any earlier one. */
  watch(child: WatchedChild): void {
    this.stop();
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

  stop(): void {
    this.#monitor?.stop();
    this.#monitor = null;
  }
}
