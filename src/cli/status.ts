/**
 * `mcp-guard status [-c FILE] [--json]`: every guarded server of this manifest that is running,
 * from the status files `run` and `up` keep under `.mcp-guard/status/` (stale ones — their process
 * is gone — are removed). Without a manifest, the ad-hoc runs' state folder is read.
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { userStateDir } from '../config/context.js';
import { findManifest } from '../config/load.js';
import { GuardError } from '../errors.js';
import { readStatus, type StatusRecord } from '../supervisor/status-file.js';
import { formatDuration, formatTable } from './table.js';

const HELP = `Usage: mcp-guard status [-c FILE] [--json]

Shows every server of the manifest that a running 'mcp-guard run' or 'mcp-guard up' supervises:
state, pids, uptime, restarts, last health check, calls and denials.

Options:
  -c, --config FILE   the manifest (default: $MCP_GUARD_CONFIG, else the nearest mcp-guard.yaml)
  --json              one JSON array on stdout, for scripts
  -h, --help          show this help
`;

export function main(argv: string[]): Promise<number> {
  return Promise.resolve(status(argv));
}

function status(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new GuardError('ERR_USAGE', `${(err as Error).message}\n\n${HELP}`);
  }
  if (values.help === true) {
    process.stderr.write(HELP);
    return 0;
  }
  const ctx = { cwd: process.cwd(), env: process.env, homeDir: homedir() };
  const stateDir = locateStateDir(ctx, values.config);
  const now = Date.now();
  // Uptime as of now: a file is rewritten on changes, not every second.
  const records = readStatus(stateDir).map((r) => ({
    ...r,
    uptimeMs: r.since === null ? null : Math.max(0, now - r.since),
  }));
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return 0;
  }
  if (records.length === 0) {
    process.stderr.write(`mcp-guard: no guarded server is running (${stateDir})\n`);
    return 0;
  }
  // Human output goes to stderr (SPEC section 2); --json is the form for scripts.
  process.stderr.write(`${renderStatus(records)}\n`);
  return 0;
}

/** The manifest's `.mcp-guard/`, or without one the state folder of ad-hoc runs. */
function locateStateDir(
  ctx: { cwd: string; env: NodeJS.ProcessEnv; homeDir: string },
  explicit: string | undefined,
): string {
  let file: string;
  try {
    file = findManifest(ctx, explicit);
  } catch (err) {
    if (explicit !== undefined || !(err instanceof GuardError)) throw err;
    return userStateDir(ctx);
  }
  return join(dirname(file), '.mcp-guard');
}

export function renderStatus(
  records: readonly (StatusRecord & { uptimeMs: number | null })[],
): string {
  return formatTable(
    ['SERVER', 'STATE', 'PID', 'GUARD', 'UPTIME', 'RESTARTS', 'PING', 'CALLS', 'DENIED', 'SANDBOX'],
    records.map((r) => [
      r.server,
      r.reason === null ? r.state : `${r.state} (${r.reason})`,
      r.pid === null ? '-' : String(r.pid),
      `${r.command} ${r.guardPid}`,
      r.uptimeMs === null ? '-' : formatDuration(r.uptimeMs),
      String(r.restarts),
      r.lastPing === null ? '-' : `${r.lastPing.ms} ms`,
      String(r.calls),
      String(r.denials),
      r.sandbox ?? '-',
    ]),
  );
}
