/**
 * The metrics of `up` (counted from its sessions' audit events), for `GET /metrics`: served by
 * `up --metrics [HOST:]PORT` on a port of its own (loopback only) and by `up --http`'s front,
 * both behind the bearer token of `.mcp-guard/token`. Loaded only with one of those flags.
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
  /** The log given to a session, or the same log counted: every session's goes through here. */
  tap: (audit: AuditLog) => AuditLog;
  /** The exposition text now. */
  render: () => string;
}

/**
 * Why: one count for all of `up`'s sessions — its own children's and, under `--http`, each client
 * session's — fed by their audit logs as they record; `readings` gives every running child's
 * state and usage when scraped.
 */
export async function countUp(
  servers: readonly string[],
  readings: () => readonly ServerReading[],
): Promise<UpMetrics> {
  const [{ GuardMetrics }, { tapAudit }] = await Promise.all([
    import('../metrics/guard-metrics.js'),
    import('../metrics/audit-tap.js'),
  ]);
  const metrics = new GuardMetrics(servers);
  return {
    tap: (audit) => tapAudit(audit, metrics),
    render: () => metrics.render(readings(), ownUsage()),
  };
}

/** Why: `up --metrics`: the endpoint alone on its own (loopback) port; returns how to close it. */
export async function serveUpMetrics(
  address: ListenAddress,
  stateDir: string,
  metrics: UpMetrics,
): Promise<() => Promise<void>> {
  const [{ loadOrCreateToken }, { serveMetrics }] = await Promise.all([
    import('../http/token.js'),
    import('../http/metrics-endpoint.js'),
  ]);
  const token = loadOrCreateToken(stateDir);
  const served = await serveMetrics(address, { token: token.value, render: metrics.render });
  const made = token.created ? ' (a new token, made now)' : '';
  process.stderr.write(
    `mcp-guard: metrics at http://${urlHost(served.address.host)}:${served.address.port}/metrics, with Authorization: Bearer <${token.file}>${made}\n`,
  );
  return () => served.close();
}
