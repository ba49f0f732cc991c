/**
 * What `GET /metrics` serves (SPEC section 8): per server its state, restarts, calls, refusals by
 * rule, a latency histogram, and its children's CPU and memory; and mcp-guard's own. Counters
 * are fed from the audit events the relay and the supervisor write anyway (observe(): a switch
 * and an increment, no parsing); state, CPU and memory are read from the sessions when scraped.
 * Pure: the caller passes the readings and mcp-guard's own usage.
 */
import type { AuditEvent } from '../audit/events.js';
import { Histogram, renderExposition, type MetricFamily, type Sample } from './exposition.js';

/** The states a server's children can be in; each gets a series, 0 when none is. */
const STATES = ['starting', 'ready', 'restarting', 'failed', 'stopping', 'stopped'] as const;

/**
 * The methods a latency series is kept for; any other is counted as `other`, so a client
 * sending made-up method names cannot grow the series without bound.
 */
const METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'server/discover',
  'subscriptions/listen',
]);

/** One child of a server as it is now (a session's snapshot). */
export interface ServerReading {
  server: string;
  state: string;
  usage: { cpuSeconds: number; rssBytes: number; processes: number } | null;
}

/** What mcp-guard's own process uses. */
export interface OwnUsage {
  cpuSeconds: number;
  rssBytes: number;
}

interface Counts {
  calls: number;
  restarts: number;
  refusals: Map<string, number>;
  latency: Map<string, Histogram>;
}

export class GuardMetrics {
  readonly #servers = new Map<string, Counts>();

  /** `servers`: the names served, so that each has its series from the first scrape. */
  constructor(servers: readonly string[]) {
    for (const server of servers) this.#counts(server);
  }

  /** Why: counts what an audit event says happened; called for every event recorded. */
  observe(server: string, event: AuditEvent): void {
    if (event.name === 'rpc.request') {
      const f = event.fields;
      if (f.tool !== undefined && f.retry === undefined && f.answeredBy === undefined)
        this.#counts(server).calls += 1;
    } else if (event.name === 'rpc.response') {
      const method = METHODS.has(event.fields.method) ? event.fields.method : 'other';
      const latency = this.#counts(server).latency;
      let histogram = latency.get(method);
      if (histogram === undefined) latency.set(method, (histogram = new Histogram()));
      histogram.observe(event.fields.durationMs / 1000);
    } else if (event.name === 'policy.deny') {
      // Under observe nothing was refused: not counted.
      if (event.fields.enforced === false) return;
      const refusals = this.#counts(server).refusals;
      refusals.set(event.fields.rule, (refusals.get(event.fields.rule) ?? 0) + 1);
    } else if (event.name === 'child.restart') {
      this.#counts(server).restarts += 1;
    }
  }

  /** Why: the exposition text, from the counters and what the children use now. */
  render(readings: readonly ServerReading[], own: OwnUsage): string {
    for (const reading of readings) this.#counts(reading.server);
    const servers = [...this.#servers.keys()].sort();
    const per = (server: string) => readings.filter((r) => r.server === server);
    const gauge = (value: (server: string) => number): Sample[] =>
      servers.map((server) => ({ labels: { server }, value: value(server) }));
    const sumUsage = (server: string, key: 'cpuSeconds' | 'rssBytes' | 'processes') =>
      per(server).reduce((sum, r) => sum + (r.usage?.[key] ?? 0), 0);
    const families: MetricFamily[] = [
      {
        name: 'mcp_guard_server_state',
        help: "How many of the server's children are in each state (one child per server under a plain up).",
        type: 'gauge',
        samples: servers.flatMap((server) =>
          STATES.map((state) => ({
            labels: { server, state },
            value: per(server).filter((r) => r.state === state).length,
          })),
        ),
      },
      {
        name: 'mcp_guard_server_restarts_total',
        help: 'Restarts of the server decided by its restart policy (child.restart).',
        type: 'counter',
        samples: gauge((server) => this.#counts(server).restarts),
      },
      {
        name: 'mcp_guard_tool_calls_total',
        help: 'tools/call requests forwarded to the server (refused ones not included).',
        type: 'counter',
        samples: gauge((server) => this.#counts(server).calls),
      },
      {
        name: 'mcp_guard_refusals_total',
        help: 'Messages refused by policy, by the rule that refused them (policy.deny).',
        type: 'counter',
        samples: servers.flatMap((server) =>
          [...this.#counts(server).refusals]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([rule, value]) => ({ labels: { server, rule }, value })),
        ),
      },
      {
        name: 'mcp_guard_request_duration_seconds',
        help: 'Time from forwarding a client request to answering it, by method (rpc.response).',
        type: 'histogram',
        samples: servers.flatMap((server) =>
          [...this.#counts(server).latency]
            .sort(([a], [b]) => a.localeCompare(b))
            .flatMap(([method, histogram]) => histogram.samples({ server, method })),
        ),
      },
      {
        name: 'mcp_guard_server_cpu_seconds_total',
        help: "CPU time used by the server's process trees (their last sample; starts again from 0 with a new child).",
        type: 'counter',
        samples: gauge((server) => sumUsage(server, 'cpuSeconds')),
      },
      {
        name: 'mcp_guard_server_resident_memory_bytes',
        help: "Resident memory (RSS) of the server's process trees, summed over their processes (last sample).",
        type: 'gauge',
        samples: gauge((server) => sumUsage(server, 'rssBytes')),
      },
      {
        name: 'mcp_guard_server_processes',
        help: "Processes in the server's process trees (last sample).",
        type: 'gauge',
        samples: gauge((server) => sumUsage(server, 'processes')),
      },
      {
        name: 'mcp_guard_process_cpu_seconds_total',
        help: "CPU time used by mcp-guard's own process (user and system).",
        type: 'counter',
        samples: [{ labels: {}, value: own.cpuSeconds }],
      },
      {
        name: 'mcp_guard_process_resident_memory_bytes',
        help: "Resident memory (RSS) of mcp-guard's own process.",
        type: 'gauge',
        samples: [{ labels: {}, value: own.rssBytes }],
      },
    ];
    return renderExposition(families);
  }

  #counts(server: string): Counts {
    let counts = this.#servers.get(server);
    if (counts === undefined) {
      counts = { calls: 0, restarts: 0, refusals: new Map(), latency: new Map() };
      this.#servers.set(server, counts);
    }
    return counts;
  }
}
