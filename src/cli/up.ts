/**
 * `mcp-guard up [-c FILE] [SERVER…]`: starts every (or the named) manifest server through the same
 * core as `run`, performs the MCP handshake with each, prints a status table and keeps them running
 * until Ctrl-C (or SIGTERM), then stops them all cleanly.
 */
import { PassThrough, Writable } from 'node:stream';
import { openAuditLog, type AuditLog } from '../audit/audit-log.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { createServerPipeline } from '../policy/server-pipeline.js';
import { LineClient } from '../relay/own-requests.js';
import { GuardSession } from '../supervisor/guard-session.js';
import { performHandshake, type HandshakeResult } from '../supervisor/handshake.js';
import {
  launchServer,
  relaunchFor,
  sandboxAuditFields,
  sandboxWarning,
} from '../supervisor/launch.js';
import type { SandboxApplied } from '../sandbox/types.js';
import { VERSION } from '../version.js';
import { loadNamedServers, MANIFEST_FLAGS, parseCommandLine } from './command-line.js';
import { warnOnceOnAuditFailure } from './audit-warning.js';
import { formatTable } from './table.js';
import { startView, type View } from './up-view.js';
import { StatusFile } from '../supervisor/status-file.js';

const HELP = `Usage: mcp-guard up [-c FILE] [--profile P] [--json] [SERVER…]

Starts every server of the manifest (or the named ones) under supervision, performs the MCP
handshake with each, and keeps them running until Ctrl-C, restarting them as their restart
policy says. On a terminal the status is a live table; otherwise one line per change.

Options:
  -c, --config FILE   the manifest (default: $MCP_GUARD_CONFIG, else the nearest mcp-guard.yaml)
  --profile P         use profile P instead of the manifest's
  --json              one JSON object per change on stdout (state, pid, uptime, restarts, …)
  -h, --help          show this help
`;

const HANDSHAKE_TIMEOUT_MS = 30_000;

interface Running {
  server: ServerConfig;
  session: GuardSession;
  client: LineClient;
  handshake: HandshakeResult | Error;
  sandbox: SandboxApplied;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    {
      args: argv,
      allowPositionals: true,
      options: { ...MANIFEST_FLAGS, json: { type: 'boolean' } },
    },
    HELP,
  );
  if (parsed === 'help') return 0;
  const { values, positionals } = parsed;
  const { file, manifest, named } = loadNamedServers(values, positionals);
  const names = named === null ? Object.keys(manifest.servers) : positionals;
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

  // Server stderr goes through the view once it runs, so a live table is not torn by it.
  let view: View | null = null;
  const echo = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (view === null) process.stderr.write(chunk);
      else view.print(chunk.toString('utf8'));
      done();
    },
  });
  const mode = values.json === true ? 'json' : process.stderr.isTTY ? 'live' : 'lines';
  // Signals are handled from the start: one arriving while servers start stops them once started.
  let running: Running[] = [];
  let stopping = false;
  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    // The live table stops here, under the last drawing; lines and JSON go on to the end.
    if (mode === 'live') view?.stop();
    process.stderr.write('\nmcp-guard: stopping…\n');
    for (const item of running) void item.session.stop('eof');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  running = await Promise.all(
    names.map((name) => startOne(manifest.servers[name]!, manifest, audit, echo)),
  );
  if (stopping) for (const item of running) void item.session.stop('eof');
  warnUnconfined(running);
  const statusFiles = running.map(
    (item) =>
      new StatusFile(manifest.stateDir, item.session, {
        command: 'up',
        manifest: file,
        sandbox: item.sandbox.backend,
      }),
  );
  process.stderr.write(`${renderHandshakes(running)}\n`);
  process.stderr.write('Press Ctrl-C to stop.\n');
  view = startView(
    running.map((item) => item.session),
    mode,
  );

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
  const ends = await Promise.all(running.map((item) => item.session.ended));
  view.stop();
  for (const status of statusFiles) status.close();
  audit.record('-', 'guard.stop', { reason: 'up finished' });
  audit.close();
  process.stderr.write('mcp-guard: all servers stopped\n');
  return ends.some((end) => end.exitCode !== 0) ? 1 : 0;
}

async function startOne(
  server: ServerConfig,
  manifest: ResolvedManifest,
  audit: AuditLog,
  stderr: Writable,
): Promise<Running> {
  const { plan, process: proc } = await launchServer(server, manifest, process.env);
  audit.record(server.name, 'sandbox.applied', sandboxAuditFields(plan.sandbox));
  const toRelay = new PassThrough();
  const fromRelay = new PassThrough();
  const session = new GuardSession({
    server,
    client: { input: toRelay, output: fromRelay },
    audit,
    pipeline: createServerPipeline(server, { manifestFile: manifest.file }),
    process: proc,
    launch: relaunchFor(server, manifest, process.env, audit),
    stderr,
    stderrPrefix: `[${server.name}] `,
  });
  const client = new LineClient(
    { input: fromRelay, output: toRelay },
    server.limits.maxMessageBytes,
  );
  const handshake = await performHandshake(client, VERSION, HANDSHAKE_TIMEOUT_MS).catch(
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return { server, session, client, handshake, sandbox: plan.sandbox };
}

/** One line per distinct reason, naming every server it concerns. */
function warnUnconfined(running: readonly Running[]): void {
  const byText = new Map<string, { names: string[]; sandbox: SandboxApplied }>();
  for (const { server, sandbox } of running) {
    const key = `${sandbox.backend} ${sandbox.requested} ${sandbox.network} ${sandbox.reason} ${sandbox.notes.join()}`;
    const group = byText.get(key) ?? { names: [], sandbox };
    group.names.push(server.name);
    byText.set(key, group);
  }
  for (const { names, sandbox } of byText.values()) {
    const warning = sandboxWarning(names, sandbox);
    if (warning !== null) process.stderr.write(`${warning}\n`);
  }
}

function renderHandshakes(running: Running[]): string {
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
