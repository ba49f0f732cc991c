/**
 * `mcp-guard status [-c FILE] [--json]`: every guarded server of this manifest that is running,
 * from the status files `run` and `up` keep under `.mcp-guard/status/` (stale ones — their process
 * is gone — are removed). Without a manifest, the ad-hoc runs' state folder is read.
 */
import { dirname, join } from 'node:path';
import { userStateDir } from '../config/context.js';
import { readStatus, type StatusRecord } from '../supervisor/status-file.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION } from './config-lookup.js';
import { formatBytes, formatDuration, formatTable, serverFigures } from './table.js';

const OPTIONS = {
  config: CONFIG_OPTION,
  json: { type: 'boolean', help: 'one JSON array on stdout, for scripts' },
} as const;

export const command = defineCommand({
  name: 'status',
  summary:
    'state, pid, uptime, restarts, health, calls, denials, CPU and memory of running servers',
  usage: ['status [-c FILE] [--json]'],
  description: `Shows every server of the manifest that a running 'mcp-guard run' or 'mcp-guard
    up' supervises: state, pids, uptime, restarts, last health check, calls, denials, and the CPU
    and memory of each server's process tree (sampled every 2 s; n/a where the system cannot
    tell), then what each mcp-guard process uses itself. Under 'up --http', a server's row counts
    its client sessions and sums its children's figures (docs/monitoring.md).`,
  options: OPTIONS,
  output: 'stdout',
  run: status,
});

function status(call: CommandCall<typeof OPTIONS>): number {
  // The manifest's `.mcp-guard/`, or without one the state folder of ad-hoc runs.
  const file = call.config.findIfAny();
  const stateDir = file === null ? userStateDir(call.ctx) : join(dirname(file), '.mcp-guard');
  const now = Date.now();
  // Uptime as of now: a file is rewritten on changes, not every second.
  const records = readStatus(stateDir).map((r) => ({
    ...r,
    uptimeMs: r.since === null ? null : Math.max(0, now - r.since),
  }));
  if (call.values.json === true) {
    call.out.write(`${JSON.stringify(records, null, 2)}\n`);
    return 0;
  }
  if (records.length === 0) {
    call.out.write(`mcp-guard: no guarded server is running (${stateDir})\n`);
    return 0;
  }
  call.out.write(`${renderStatus(records)}\n${renderGuards(records)}\n`);
  return 0;
}

export function renderStatus(
  records: readonly (StatusRecord & { uptimeMs: number | null })[],
): string {
  // SESSIONS only where an `up --http` serves clients.
  const http = records.some((r) => r.http !== undefined);
  return formatTable(
    [
      'SERVER',
      'STATE',
      'PID',
      'GUARD',
      ...(http ? ['SESSIONS'] : []),
      'UPTIME',
      'RESTARTS',
      'PING',
      'CALLS',
      'DENIED',
      'CPU',
      'MEM',
      'SANDBOX',
    ],
    records.map((r) => {
      const figures = serverFigures(r);
      return [
        r.server,
        r.reason === null ? r.state : `${r.state} (${r.reason})`,
        r.pid === null ? '-' : String(r.pid),
        `${r.command} ${r.guardPid}`,
        ...(http ? [figures.sessions] : []),
        r.uptimeMs === null ? '-' : formatDuration(r.uptimeMs),
        figures.restarts,
        r.lastPing === null ? '-' : `${r.lastPing.ms} ms`,
        figures.calls,
        figures.denials,
        figures.cpu,
        figures.mem,
        r.sandbox ?? '-',
      ];
    }),
  );
}

/** One line per mcp-guard process: its own CPU time and memory, apart from its servers'. */
function renderGuards(records: readonly StatusRecord[]): string {
  const guards = new Map<number, StatusRecord>();
  for (const r of records) guards.set(r.guardPid, r);
  return [...guards.values()]
    .map((r) =>
      r.guardUsage === undefined
        ? `mcp-guard ${r.command} ${r.guardPid}`
        : `mcp-guard ${r.command} ${r.guardPid} itself: CPU ${Math.round(r.guardUsage.cpuSeconds)} s, MEM ${formatBytes(r.guardUsage.rssBytes)}`,
    )
    .join('\n');
}
