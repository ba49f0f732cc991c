/**
 * The seam between the audit log and the metrics: an AuditLog that writes each record through the
 * real one and then lets the metrics count it. Only `up --metrics` and `up --http` put it in;
 * without them nothing is counted and nothing changes on the relay's path.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { GuardMetrics } from './guard-metrics.js';

/** Why: the metrics see every event as it is recorded, after it is written. */
export function tapAudit(log: AuditLog, metrics: Pick<GuardMetrics, 'observe'>): AuditLog {
  return {
    get session() {
      return log.session;
    },
    get bodies() {
      return log.bodies;
    },
    record(server, event) {
      log.record(server, event);
      metrics.observe(server, event);
    },
    cork: () => log.cork(),
    uncork: () => log.uncork(),
    close: () => log.close(),
  };
}
