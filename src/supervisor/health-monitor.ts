/**
 * The health check loop of one child (SPEC section 5): a ping every `health.interval` while the
 * child is ready, each judged by `judgePing` (busy is not hung, silent and idle is, even with a
 * request in flight; a clock jump is no failure);
 * `health.failures` failures in a row and the child is reported hung. One timer, stopped when
 * the child stops being the ready one.
 */
import type { AuditSink } from '../audit/audit-sink.js';
import { DISCOVER_METHOD } from '../protocol/era.js';
import type { ServerConfig } from '../config/types.js';
import { OwnRequestTimeout } from '../relay/own-requests.js';
import type { Relay } from '../relay/relay.js';
import type { Clock, Timer } from './clock.js';
import { FailureCount, judgePing, type ClockReading } from './health.js';
import { healthFail, healthSkip } from '../audit/event-constructors.js';

/** How the monitor reaches the server, through the relay. */
export interface HealthProbe {
  /** Sends a `ping` of mcp-guard's own; rejects with OwnRequestTimeout when nothing answers. */
  ping(timeoutMs: number): Promise<unknown>;
  /** Client requests in flight. */
  inFlight(): number;
  /** Monotonic time of the last bytes on the server's stdout. */
  lastTraffic(): number;
  /** Monotonic time of the last bytes on the server's stderr. */
  lastStderr(): number;
  /** CPU time the server's process tree has used so far, in ms; null when it cannot be read. */
  cpuMs(): number | null;
}

/** What the probe learns from the child itself rather than from the relay. */
export interface ChildSigns {
  /** Monotonic time of the last bytes on the child's stderr (0 if none ever). */
  lastStderr(): number;
  cpuMs(): number | null;
}

/**
 * The probe through a relay: with mcp-guard's own ids, a `ping` in the session era and a
 * `server/discover` in the stateless era (which has no `ping`); the relay's view of traffic.
 */
export function relayProbe(relay: Relay, child: ChildSigns): HealthProbe {
  return {
    ping: (timeoutMs) =>
      relay.request(relay.memory.era === 'stateless' ? DISCOVER_METHOD : 'ping', {}, timeoutMs),
    inFlight: () => relay.inFlight,
    lastTraffic: () => relay.lastServerTraffic,
    lastStderr: () => child.lastStderr(),
    cpuMs: () => child.cpuMs(),
  };
}

export interface HealthMonitorOptions {
  health: ServerConfig['health'];
  clock: Clock;
  probe: HealthProbe;
  audit: AuditSink;
  server: string;
  /** The child's pid, for the audit records. */
  pid: number;
  /** The child is still the current one, and ready: a ping that ends otherwise is ignored. */
  isCurrent(): boolean;
  /** A ping was answered in `ms`, at wall-clock time `at`. */
  onAnswer(ping: { ms: number; at: number }): void;
  /** The child failed `health.failures` pings in a row; the loop has ended. */
  onHung(): void;
}

export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  readonly #failures: FailureCount;
  #timer: Timer | null = null;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
    this.#failures = new FailureCount(options.health.failures);
  }

  /** Schedules the next ping (the first one `health.interval` from now). */
  start(): void {
    this.stop();
    const { clock, health } = this.#options;
    this.#timer = clock.setTimeout(() => void this.#ping(), health.interval);
    // Health checks alone never keep mcp-guard running.
    this.#timer.unref();
  }

  /** Cancels the next ping (one in flight is judged only if the child is still current). */
  stop(): void {
    if (this.#timer !== null) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #ping(): Promise<void> {
    this.#timer = null;
    const options = this.#options;
    if (!options.isCurrent()) return;
    const { probe, health } = options;
    const timeoutMs = health.timeout;
    const sent = this.#read();
    let inFlight = probe.inFlight() > 0;
    // The CPU time matters only with a request in flight: read it only then (it scans /proc).
    const cpuBefore = inFlight ? probe.cpuMs() : null;
    let answered = true;
    try {
      await probe.ping(timeoutMs);
    } catch (err) {
      // An error answer proves the server is alive; only silence counts.
      answered = !(err instanceof OwnRequestTimeout);
    }
    if (!options.isCurrent()) return;
    inFlight ||= probe.inFlight() > 0;
    const ended = this.#read();
    const cpuAfter = !answered && cpuBefore !== null ? probe.cpuMs() : null;
    const judgement = judgePing({
      answered,
      sent,
      ended,
      timeoutMs,
      lastTraffic: probe.lastTraffic(),
      lastStderr: probe.lastStderr(),
      inFlight,
      // A process that left the tree takes its time with it: never less than nothing.
      cpuMs: cpuBefore === null || cpuAfter === null ? null : Math.max(0, cpuAfter - cpuBefore),
    });
    if (judgement.verdict === 'ok') {
      options.onAnswer({ ms: judgement.latencyMs, at: options.clock.wall() });
    }
    const failures = this.#failures;
    const hung = failures.add(judgement);
    if (judgement.verdict === 'fail') {
      options.audit.record(
        options.server,
        healthFail({
          pid: options.pid,
          reason: judgement.reason,
          failures: failures.count,
          of: failures.failures,
        }),
      );
    } else if (judgement.verdict === 'ignored' && judgement.reason.startsWith('clock jump')) {
      options.audit.record(options.server, healthSkip(judgement.reason));
    }
    if (hung) {
      options.onHung();
      return;
    }
    this.start();
  }

  #read(): ClockReading {
    return { wall: this.#options.clock.wall(), mono: this.#options.clock.now() };
  }
}
