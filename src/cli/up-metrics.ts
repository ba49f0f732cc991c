/**
 * `up --metrics [HOST:]PORT`: the metrics of this `up` (counted from its audit events) served at
 * `GET /metrics` behind the bearer token of `.mcp-guard/token`, on a loopback address only. Loaded
 * only when the flag is given.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { GuardError } from '../errors.js';
import {
  isLoopbackHost,
  parseListenAddress,
  urlHost,
  type ListenAddress,
} from '../http/listen-address.js';
import type { ServerReading } from '../metrics/guard-metrics.js';
import { ownUsage } from '../supervisor/status-file.js';

/** Why: a bad or non-loopback address is refused (exit 2) before any server starts. */
export function checkMetricsFlag(value: string): ListenAddress {
  const address = parseListenAddress(value);
  if ('problem' in address) throw new GuardError('ERR_USAGE', `--metrics: ${address.problem}`);
  if (!isLoopbackHost(address.host)) {
    throw new GuardError(
      'ERR_USAGE',
      `--metrics: refusing to listen on ${address.host}: /metrics has no TLS, and the bearer token would cross the network in clear; listen on a loopback address (127.0.0.1, ::1, localhost) and reach it through a TLS proxy or an SSH tunnel`,
    );
  }
  return address;
}

export interface UpMetrics {
  /** The audit log to give the sessions: it counts what it records. */
  audit: AuditLog;
  /** Starts serving; `readings` gives each running child's state and usage when scraped. */
  serve(readings: () => readonly ServerReading[]): Promise<() => Promise<void>>;
}

/** Why: the counters start with the sessions (the tap), the endpoint once they exist. */
export async function setUpMetrics(
  address: ListenAddress,
  stateDir: string,
  servers: readonly string[],
  audit: AuditLog,
): Promise<UpMetrics> {
  const [{ GuardMetrics }, { tapAudit }, { loadOrCreateToken }, { serveMetrics }] =
    await Promise.all([
      import('../metrics/guard-metrics.js'),
      import('../metrics/audit-tap.js'),
      import('../http/token.js'),
      import('../http/metrics-endpoint.js'),
    ]);
  const token = loadOrCreateToken(stateDir);
  const metrics = new GuardMetrics(servers);
  return {
    audit: tapAudit(audit, metrics),
    async serve(readings) {
      const served = await serveMetrics(address, {
        token: token.value,
        render: () => metrics.render(readings(), ownUsage()),
      });
      const made = token.created ? ' (a new token, made now)' : '';
      process.stderr.write(
        `mcp-guard: metrics at http://${urlHost(served.address.host)}:${served.address.port}/metrics, with Authorization: Bearer <${token.file}>${made}\n`,
      );
      return () => served.close();
    },
  };
}
