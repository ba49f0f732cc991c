/**
 * `mcp-guard up [-c FILE] [SERVER…]`: starts every (or the named) manifest server through the same
 * core as `run`, performs the MCP handshake with each, prints a status table and keeps them running
 * until Ctrl-C (or SIGTERM), then stops them all cleanly.
 */
import { Writable } from 'node:stream';
import { guardStop } from '../audit/event-constructors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import type { SessionSnapshot } from '../supervisor/guard-session.js';
import { StatusFile } from '../supervisor/status-file.js';
import { processAlive } from '../supervisor/process-group.js';
import { VERSION } from '../version.js';
import { GuardError } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, PROFILE_OPTION } from './config-lookup.js';
import { handshake, openGuardAudit, startGuarded } from './guarded-session.js';
import { HttpChildren } from './http-children.js';
import { ensureStateDir, lockUp } from './state-dir.js';
import { tierUpSooner } from './tiering.js';
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SESSION_IDLE,
  planHttp,
  serveHttp,
  type ServedHttp,
} from './up-http.js';
import { readings, renderHandshakes, warnUnconfined, type Running } from './up-report.js';
import { startView, type View } from './up-view.js';

const OPTIONS = {
  config: CONFIG_OPTION,
  profile: PROFILE_OPTION,
  json: {
    type: 'boolean',
    help: 'one JSON object per change on stdout (state, pid, uptime, restarts, …)',
  },
  http: {
    type: 'string',
    value: '[HOST:]PORT',
    help: 'also serve each server over Streamable HTTP at /<server>/mcp (127.0.0.1 by default; docs/http.md)',
  },
  'tls-cert': { type: 'string', value: 'FILE', help: '(--http) the TLS certificate (PEM)' },
  'tls-key': { type: 'string', value: 'FILE', help: '(--http) the TLS private key (PEM)' },
  'max-sessions': {
    type: 'string',
    value: 'N',
    help: `(--http) client sessions at once per server (default ${DEFAULT_MAX_SESSIONS})`,
  },
  'session-idle': {
    type: 'string',
    value: 'DURATION',
    help: `(--http) a client session idle this long is ended (default ${DEFAULT_SESSION_IDLE})`,
  },
  metrics: {
    type: 'string',
    value: '[HOST:]PORT',
    help: 'serve GET /metrics (Prometheus text, behind the bearer token of .mcp-guard/token) on a loopback address',
  },
} as const;

export const command = defineCommand({
  name: 'up',
  summary: 'supervise every (or the named) manifest server in the foreground',
  usage: [
    'up [-c FILE] [--profile P] [--json] [--metrics [HOST:]PORT] [SERVER…]',
    'up [-c FILE] [SERVER…] --http [HOST:]PORT [--tls-cert FILE --tls-key FILE]',
  ],
  description: `Starts every server of the manifest (or the named ones) under supervision,
    performs the MCP handshake with each, and keeps them running until Ctrl-C, restarting them as
    their restart policy says. The status goes to stdout: on a terminal a live table, otherwise
    one line per change; messages and the servers' stderr go to stderr. With --http, each server
    is also served over MCP Streamable HTTP, one child per client session, behind a bearer token
    (the Cline entry of each server is printed on stdout before the status). With
    --metrics, GET /metrics serves their state, restarts, calls, refusals, latency, CPU and memory
    as Prometheus text (127.0.0.1 unless a loopback HOST is given).`,
  options: OPTIONS,
  operands: true,
  output: 'stdout',
  run: up,
});

async function up(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const { values, operands, out } = call;
  const { file, manifest, named } = call.config.servers(operands);
  const names = named === null ? Object.keys(manifest.servers) : operands;
  if (names.length === 0) {
    process.stderr.write(`mcp-guard: ${file} has no servers to start\n`);
    return 0;
  }
  const httpPlan =
    values.http === undefined
      ? null
      : planHttp({
          http: values.http,
          tlsCert: values['tls-cert'],
          tlsKey: values['tls-key'],
          maxSessions: values['max-sessions'],
          sessionIdle: values['session-idle'],
        });
  // /metrics is served by --metrics and by --http; a bad --metrics address is refused first.
  const upMetrics =
    values.metrics === undefined && httpPlan === null ? null : await import('./up-metrics.js');
  const metricsAt =
    values.metrics === undefined ? null : upMetrics!.checkMetricsFlag(values.metrics);
  ensureStateDir(manifest);
  const unlock = lockUp(manifest.stateDir, (pid) => processAlive(pid));
  const log = await openGuardAudit(manifest, '-', {
    manifest: file,
    command: 'up',
    servers: names,
  });
  // Declared here, filled once the servers start: what /metrics reads when scraped.
  let running: Running[] = [];
  const children = new HttpChildren();
  const metrics = await upMetrics?.countUp(names, () => [
    ...readings(running),
    ...children.readings(),
  ]);
  let closeMetrics: (() => Promise<void>) | undefined;
  if (metrics !== undefined && metricsAt !== null) {
    try {
      closeMetrics = await upMetrics!.serveUpMetrics(metricsAt, manifest.stateDir, metrics);
    } catch (err) {
      unlock();
      log.close();
      throw err instanceof GuardError
        ? err
        : new GuardError('ERR_SPAWN', `--metrics: could not listen: ${(err as Error).message}`);
    }
  }
  const audit = metrics?.tap(log) ?? log;
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
  const mode = values.json === true ? 'json' : out.isTTY ? 'live' : 'lines';
  // Signals are handled from the start: one arriving while servers start stops them once started.
  let http: ServedHttp | null = null;
  let stopping = false;
  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    // The live table stops here, under the last drawing; lines and JSON go on to the end.
    if (mode === 'live') view?.stop();
    process.stderr.write('\nmcp-guard: stopping…\n');
    for (const item of running) void item.session.stop('eof');
    void http?.front.close();
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  running = await Promise.all(
    names.map((name) => startOne(manifest.servers[name]!, manifest, audit, echo)),
  );
  tierUpSooner();
  if (httpPlan !== null && !stopping) {
    const states = (): Record<string, string> =>
      Object.fromEntries(running.map((item) => [item.server.name, item.session.state]));
    const watch = { metrics: metrics!, children };
    http = await serveHttp(manifest, names, httpPlan, echo, states, watch).catch(async (err) => {
      stopAll();
      await Promise.all(running.map((item) => item.session.ended));
      unlock();
      throw err;
    });
    // With --json, stdout is one JSON object per line: the entries are one of them.
    const entries = mode === 'json' ? JSON.stringify(JSON.parse(http.entries)) : http.entries;
    process.stdout.write(`${entries}\n`);
    process.stderr.write(
      `mcp-guard: serving ${names.length} server(s) at ${http.front.origin}/<server>/mcp; the token is in ${http.tokenFile}${http.tokenCreated ? ' (new)' : ''}\n`,
    );
    if (stopping) void http.front.close();
  }
  if (stopping) for (const item of running) void item.session.stop('eof');
  warnUnconfined(running);
  const httpStatus = (name: string) =>
    httpPlan === null ? {} : { http: (own: SessionSnapshot) => children.status(name, own) };
  const statusFiles = new Map(
    running.map((item) => [
      item.server.name,
      new StatusFile(manifest.stateDir, item.session, {
        command: 'up',
        manifest: file,
        sandbox: item.sandbox.backend,
        ...httpStatus(item.server.name),
      }),
    ]),
  );
  children.on('change', (server) => statusFiles.get(server)?.changed());
  // With --json, stdout holds JSON lines only: the handshake table is then said on stderr.
  (mode === 'json' ? process.stderr : out).write(`${renderHandshakes(running)}\n`);
  process.stderr.write('Press Ctrl-C to stop.\n');
  view = startView(
    running.map((item) => item.session),
    mode,
    out,
    httpPlan === null ? null : children,
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
  await http?.front.close();
  view.stop();
  for (const status of statusFiles.values()) status.close();
  await closeMetrics?.();
  unlock();
  audit.record('-', guardStop({ reason: 'up finished' }));
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
  const guarded = await startGuarded(server, manifest, audit, {
    stderr,
    stderrPrefix: `[${server.name}] `,
  });
  const shaken = await handshake(guarded).catch((err: unknown) =>
    err instanceof Error ? err : new Error(String(err)),
  );
  return { server, session: guarded.session, handshake: shaken, sandbox: guarded.sandbox };
}
