/**
 * The guarded sessions `up --http` runs for its clients — one per session-era client session, and
 * one per server shared by stateless-era requests — kept by server while they run: what
 * `/metrics`, `status` and `up`'s view add to each server's own child.
 */
import { EventEmitter } from 'node:events';
import type { ChannelOwner } from '../http/channel.js';
import type { ServerReading } from '../metrics/guard-metrics.js';
import type { GuardSession, SessionSnapshot } from '../supervisor/guard-session.js';
import type { HttpStatus, Totals } from '../supervisor/status-file.js';

interface Child {
  server: string;
  owner: ChannelOwner;
  session: GuardSession;
  /** CPU seconds of its child's tree as last read (scraped, or shown), kept when it is gone. */
  cpuSeconds: number;
}

export class HttpChildren extends EventEmitter<{ change: [server: string] }> {
  readonly #children = new Set<Child>();
  /** CPU seconds of the children of ended sessions, by server (their last sample). */
  readonly #endedCpu = new Map<string, number>();

  /** Why: a session opened for a client counts from now until it ends. */
  add(server: string, owner: ChannelOwner, session: GuardSession): void {
    const child: Child = { server, owner, session, cpuSeconds: 0 };
    const changed = (): void => void this.emit('change', server);
    this.#children.add(child);
    session.on('change', changed);
    void session.ended.then(() => {
      this.#children.delete(child);
      session.off('change', changed);
      this.#endedCpu.set(server, (this.#endedCpu.get(server) ?? 0) + child.cpuSeconds);
      changed();
    });
    changed();
  }

  /**
   * Each child as `/metrics` reads it; and per server, what its ended sessions' children used
   * (in no state), so that the CPU counter does not fall each time a client leaves.
   */
  readings(): ServerReading[] {
    const running = [...this.#children].map((child): ServerReading => {
      const s = seen(child, child.session.snapshot());
      // A child just gone (its session ending, or restarting) keeps its CPU time counted.
      const usage = s.usage ?? { cpuSeconds: child.cpuSeconds, rssBytes: 0, processes: 0 };
      return { server: s.server, state: s.state, usage };
    });
    const ended = [...this.#endedCpu].map(([server, cpuSeconds]): ServerReading => ({
      server,
      state: 'ended',
      usage: { cpuSeconds, rssBytes: 0, processes: 0 },
    }));
    return [...running, ...ended];
  }

  /** Why: what `status` and the view show of `server`'s HTTP clients, `own` being up's child. */
  status(server: string, own: SessionSnapshot): HttpStatus {
    const mine = [...this.#children].filter((child) => child.server === server);
    const children = mine.map((child) => ({
      ...seen(child, child.session.snapshot()),
      session: child.owner.session,
      remote: child.owner.session === null ? null : child.owner.remote,
    }));
    return {
      sessions: mine.filter((child) => child.owner.session !== null).length,
      stateless: mine.some((child) => child.owner.session === null),
      children,
      total: totalOf([own, ...children]),
    };
  }
}

/** Keeps the child's CPU time as last seen (a sample taken since counts, the child gone does not). */
function seen(child: Child, snapshot: SessionSnapshot): SessionSnapshot {
  child.cpuSeconds = snapshot.usage?.cpuSeconds ?? child.cpuSeconds;
  return snapshot;
}

/** Why: a server's cost is the sum over its children (status's row, like /metrics' series). */
export function totalOf(snapshots: readonly SessionSnapshot[]): Totals {
  const sum = (value: (s: SessionSnapshot) => number): number =>
    snapshots.reduce((total, s) => total + value(s), 0);
  const sampled = snapshots.filter((s) => s.usage !== null);
  return {
    children: snapshots.filter((s) => s.pid !== null).length,
    restarts: sum((s) => s.restarts),
    calls: sum((s) => s.calls),
    denials: sum((s) => s.denials),
    usage:
      sampled.length === 0
        ? null
        : {
            cpuPercent: Math.round(sum((s) => s.usage?.cpuPercent ?? 0) * 10) / 10,
            cpuSeconds: sum((s) => s.usage?.cpuSeconds ?? 0),
            rssBytes: sum((s) => s.usage?.rssBytes ?? 0),
            processes: sum((s) => s.usage?.processes ?? 0),
          },
  };
}
