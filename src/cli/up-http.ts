/**
 * `up --http [HOST:]PORT`: the wiring of the HTTP front (src/http/) to guarded sessions. Each
 * client session, and each server's shared stateless-era session, is a GuardSession in front of
 * a child of its own, started as `run` starts one and audited in a chain of its own whose records
 * carry the client's address (and, for a session, its `Mcp-Session-Id` as the chain's session).
 * Every session's log is counted by `up`'s metrics (served at `/metrics`), and its GuardSession
 * kept in HttpChildren while it runs (for `/metrics`, `status` and the view). The SDK's HTTP
 * transport is loaded here only, so `run` and a plain `up` never pay for it.
 */
import { readFileSync } from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { guardStop } from '../audit/event-constructors.js';
import type { ResolvedManifest } from '../config/types.js';
import { GuardError } from '../errors.js';
import type { ChannelOwner, SessionChannel } from '../http/channel.js';
import type { Front } from '../http/front.js';
import { isLoopbackHost, parseListenAddress, type ListenAddress } from '../http/listen-address.js';
import { bearerMatches, loadOrCreateToken } from '../http/token.js';
import { parseDuration } from '../config/units.js';
import { openGuardAudit, startGuarded } from './guarded-session.js';
import type { HttpChildren } from './http-children.js';
import type { UpMetrics } from './up-metrics.js';

/** Defaults for the session era (docs/http.md). */
export const DEFAULT_MAX_SESSIONS = 64;
export const DEFAULT_SESSION_IDLE = '30m';

export interface HttpFlags {
  http: string;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  maxSessions: string | undefined;
  sessionIdle: string | undefined;
}

export interface HttpPlan {
  listen: ListenAddress;
  tls: { cert: Buffer; key: Buffer } | null;
  maxSessions: number;
  idleMs: number;
}

/** Why: every flag is checked before anything starts (a refusal exits 2 with its reason). */
export function planHttp(flags: HttpFlags): HttpPlan {
  const listen = parseListenAddress(flags.http);
  if ('problem' in listen) throw new GuardError('ERR_USAGE', `--http: ${listen.problem}`);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new GuardError('ERR_USAGE', '--tls-cert and --tls-key go together');
  }
  if (flags.tlsCert === undefined && !isLoopbackHost(listen.host)) {
    throw new GuardError(
      'ERR_USAGE',
      `--http ${flags.http}: ${listen.host} is not a loopback address, and plain HTTP there would send the token and every message in the clear; give --tls-cert and --tls-key, or listen on 127.0.0.1`,
    );
  }
  const tls =
    flags.tlsCert === undefined || flags.tlsKey === undefined
      ? null
      : { cert: readPem(flags.tlsCert, '--tls-cert'), key: readPem(flags.tlsKey, '--tls-key') };
  const maxSessions = Number(flags.maxSessions ?? DEFAULT_MAX_SESSIONS);
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new GuardError(
      'ERR_USAGE',
      `--max-sessions: '${flags.maxSessions}' is not a whole number over 0`,
    );
  }
  const idleMs = parseDuration(flags.sessionIdle ?? DEFAULT_SESSION_IDLE);
  if (idleMs === undefined || idleMs <= 0) {
    throw new GuardError(
      'ERR_USAGE',
      `--session-idle: '${flags.sessionIdle}' is not a duration (30s, 10m, 1h)`,
    );
  }
  return { listen, tls, maxSessions, idleMs };
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new GuardError('ERR_USAGE', `${flag}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** What `up` counts and shows of the front's sessions. */
export interface HttpWatch {
  /** Each session's audit log goes through here (the metrics count it). */
  metrics: UpMetrics;
  /** Each session's GuardSession is added here while it runs. */
  children: HttpChildren;
}

/** Why: a guarded session per channel, in its own audit chain, stopped by the front. */
function channelOpener(manifest: ResolvedManifest, stderr: Writable, watch: HttpWatch) {
  return async (name: string, owner: ChannelOwner): Promise<SessionChannel> => {
    const server = manifest.servers[name]!;
    const audit = openGuardAudit(
      manifest,
      name,
      {
        manifest: manifest.file,
        command: owner.session === null ? 'up --http (stateless)' : 'up --http',
        servers: [name],
      },
      // The shared stateless-era session serves many clients: its records name none of them.
      owner.session === null ? {} : { remote: owner.remote, session: owner.session },
    ).then(watch.metrics.tap);
    const input = new PassThrough();
    const output = new PassThrough();
    const guarded = await startGuarded(server, manifest, audit, {
      stdio: { input, output },
      stderr,
      stderrPrefix: `[${name} ${owner.session?.slice(0, 8) ?? 'stateless'}] `,
    });
    watch.children.add(name, owner, guarded.session);
    const ended = guarded.session.ended.then((end) => {
      guarded.audit.record(name, guardStop({ reason: `http session ended (${end.reason})` }));
      guarded.audit.close();
    });
    return {
      input,
      output,
      ended,
      async stop() {
        input.end();
        await ended;
      },
    };
  };
}

export interface ServedHttp {
  front: Front;
  /** The Cline entries, one per server (printed on stdout). */
  entries: string;
  tokenFile: string;
  tokenCreated: boolean;
}

/** Why: starts the front; rejects with a GuardError when it cannot listen. */
export async function serveHttp(
  manifest: ResolvedManifest,
  names: readonly string[],
  plan: HttpPlan,
  stderr: Writable,
  health: () => Record<string, string>,
  watch: HttpWatch,
): Promise<ServedHttp> {
  const token = loadOrCreateToken(manifest.stateDir);
  const [sdk, { startFront }, { sendExposition }] = await Promise.all([
    import('@modelcontextprotocol/server'),
    import('../http/front.js'),
    import('../http/metrics-endpoint.js'),
  ]);
  let front: Front;
  try {
    front = await startFront(sdk, {
      listen: plan.listen,
      tls: plan.tls,
      servers: new Map(
        names.map((name) => [
          name,
          { maxMessageBytes: manifest.servers[name]!.limits.maxMessageBytes },
        ]),
      ),
      tokenMatches: (header) => bearerMatches(token.value, header),
      sessions: { maxSessions: plan.maxSessions, idleMs: plan.idleMs },
      open: channelOpener(manifest, stderr, watch),
      health,
      metrics: (req, res) => sendExposition(req, res, watch.metrics.render()),
      onError: (err) =>
        stderr.write(`mcp-guard: http: ${err instanceof Error ? err.message : String(err)}\n`),
    });
  } catch (err) {
    throw new GuardError(
      'ERR_SPAWN',
      `cannot listen on ${plan.listen.host}:${plan.listen.port}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return {
    front,
    entries: clineEntries(front.origin, names, token.value),
    tokenFile: token.file,
    tokenCreated: token.created,
  };
}

/** Why: what to paste into Cline's MCP settings: one `streamableHttp` entry per server. */
export function clineEntries(origin: string, names: readonly string[], token: string): string {
  const servers = Object.fromEntries(
    names.map((name) => [
      name,
      {
        type: 'streamableHttp',
        url: `${origin}/${encodeURIComponent(name)}/mcp`,
        headers: { Authorization: `Bearer ${token}` },
      },
    ]),
  );
  return JSON.stringify({ mcpServers: servers }, null, 2);
}
