/**
 * `mcp-guard up [-c FILE] [SERVER…]`: starts every (or the named) manifest server through the same
 * core as `run`, performs the MCP handshake with each, prints a status table and keeps them running
 * until Ctrl-C (or SIGTERM), then stops them all cleanly.
 */
import { homedir } from 'node:os';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { openAuditLog, type AuditLog } from '../audit/audit-log.js';
import { findManifest, loadManifest } from '../config/load.js';
import type { ServerConfig } from '../config/types.js';
import { GuardError } from '../errors.js';
import { createServerPipeline } from '../policy/server-pipeline.js';
import { LineClient } from '../relay/line-client.js';
import { GuardSession } from '../supervisor/guard-session.js';
import { performHandshake, type HandshakeResult } from '../supervisor/handshake.js';
import { planLaunch } from '../supervisor/launch-plan.js';
import { ServerProcess } from '../supervisor/server-process.js';
import { VERSION } from '../version.js';
import { warnOnceOnAuditFailure } from './audit-warning.js';
import { formatTable } from './table.js';

const HELP = `Usage: mcp-guard up [-c FILE] [--profile P] [SERVER…]

Starts every server of the manifest (or the named ones) under supervision, performs the MCP
handshake with each, shows their status, and keeps them running until Ctrl-C.

Options:
  -c, --config FILE   the manifest (default: $MCP_GUARD_CONFIG, else the nearest mcp-guard.yaml)
  --profile P         use profile P instead of the manifest's
  -h, --help          show this help
`;

const HANDSHAKE_TIMEOUT_MS = 30_000;

interface Running {
  server: ServerConfig;
  session: GuardSession;
  client: LineClient;
  handshake: HandshakeResult | Error;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new GuardError('ERR_USAGE', `${(err as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stderr.write(HELP);
    return 0;
  }
  const ctx = { cwd: process.cwd(), env: process.env, homeDir: homedir() };
  const file = findManifest(ctx, values.config);
  const manifest = loadManifest(
    file,
    ctx,
    values.profile === undefined ? {} : { profile: values.profile },
  );
  const names = positionals.length > 0 ? positionals : Object.keys(manifest.servers);
  const unknown = names.filter((name) => manifest.servers[name] === undefined);
  if (unknown.length > 0) {
    throw new GuardError(
      'ERR_SERVER_UNKNOWN',
      `no server ${unknown.map((n) => `'${n}'`).join(', ')} in ${file}`,
    );
  }
  if (names.length === 0) {
    process.stderr.write(`mcp-guard: ${file} has no servers to start\n`);
    return 0;
  }
  const audit = await openAuditLog(manifest.audit, { onError: warnOnceOnAuditFailure() });
  audit.record('-', 'guard.start', {
    version: VERSION,
    pid: process.pid,
    manifest: file,
    command: 'up',
    servers: names,
  });
  process.stderr.write(`mcp-guard ${VERSION}: starting ${names.length} server(s) from ${file}\n`);

  const running = await Promise.all(
    names.map((name) => startOne(manifest.servers[name]!, audit, manifest.file)),
  );
  process.stderr.write(`${renderStatus(running)}\n`);
  process.stderr.write('Press Ctrl-C to stop.\n');

  for (const item of running) {
    void item.session.ended.then((end) => {
      if (end.reason === 'server-exit') {
        const exit = end.exit;
        const how =
          exit?.signal == null
            ? `exited with code ${exit?.code}`
            : `was terminated by ${exit.signal}`;
        process.stderr.write(`mcp-guard: server '${item.server.name}' ${how}\n`);
      }
    });
  }
  const stopAll = (): void => {
    process.stderr.write('\nmcp-guard: stopping…\n');
    for (const item of running) void item.session.stop('eof');
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  const ends = await Promise.all(running.map((item) => item.session.ended));
  audit.record('-', 'guard.stop', { reason: 'up finished' });
  audit.close();
  process.stderr.write('mcp-guard: all servers stopped\n');
  return ends.some((end) => end.reason === 'spawn-failed') ? 1 : 0;
}

async function startOne(
  server: ServerConfig,
  audit: AuditLog,
  manifestFile: string | null,
): Promise<Running> {
  const proc = await ServerProcess.start(planLaunch(server, process.env)).catch(
    (err: unknown) => err as Error,
  );
  const toRelay = new PassThrough();
  const fromRelay = new PassThrough();
  const session = new GuardSession({
    server,
    client: { input: toRelay, output: fromRelay },
    audit,
    pipeline: createServerPipeline(server, { manifestFile }),
    process: proc,
    stderr: process.stderr,
    stderrPrefix: `[${server.name}] `,
  });
  const client = new LineClient(
    { input: fromRelay, output: toRelay },
    server.limits.maxMessageBytes,
  );
  const handshake = await performHandshake(client, VERSION, HANDSHAKE_TIMEOUT_MS).catch(
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return { server, session, client, handshake };
}

function renderStatus(running: Running[]): string {
  const rows = running.map(({ server, session, handshake }) => {
    const ok = !(handshake instanceof Error);
    const n = (v: number | null | undefined): string =>
      v === null || v === undefined ? '-' : String(v);
    return [
      server.name,
      session.process === null ? '-' : String(session.process.pid),
      ok
        ? session.state
        : `${session.state === 'ready' ? 'unhealthy' : session.state}: ${handshake.message}`,
      ok ? handshake.protocolVersion : '-',
      n(ok ? handshake.tools : null),
      n(ok ? handshake.resources : null),
      n(ok ? handshake.prompts : null),
      ok ? `${handshake.handshakeMs} ms` : '-',
    ];
  });
  return formatTable(
    ['SERVER', 'PID', 'STATE', 'PROTOCOL', 'TOOLS', 'RESOURCES', 'PROMPTS', 'HANDSHAKE'],
    rows,
  );
}
