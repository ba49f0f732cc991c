/**
 * The HTTP front of `up --http` (SPEC section 8): one listener serving each manifest server at
 * `/<server>/mcp` as MCP Streamable HTTP, `/healthz` without auth and `/metrics` with it. Every
 * request passes the Host and Origin checks, then the bearer token, then the body bound; then it
 * is classified by era (the SDK's classifier, so the `Mcp-Method`/`Mcp-Name` headers are checked
 * against the body) and served by the server's session (session era) or its shared session
 * (stateless era).
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { OpenChannel } from './channel.js';
import { urlHost, type ListenAddress } from './listen-address.js';
import { readBoundedBody } from './request-body.js';
import {
  allowedHosts,
  checkBearer,
  checkHost,
  checkOrigin,
  type Refusal,
} from './request-checks.js';
import { rpcError, SessionTable, type ServerSdk, type SessionLimits } from './session-table.js';
import { StatelessRoute } from './stateless.js';
import { sendJson, sendWebResponse, toWebRequest } from './web-exchange.js';

export type FrontSdk = ServerSdk &
  Pick<typeof import('@modelcontextprotocol/server'), 'classifyInboundRequest'>;

export interface FrontOptions {
  listen: ListenAddress;
  tls: { cert: Buffer; key: Buffer } | null;
  /** Each served server's request body bound (`limits.maxMessageBytes`). */
  servers: ReadonlyMap<string, { maxMessageBytes: number }>;
  /** Whether an `Authorization` header carries the token (constant time). */
  tokenMatches: (header: string | undefined) => boolean;
  sessions: SessionLimits;
  open: OpenChannel;
  /** `GET /healthz`'s body: each server's state. */
  health: () => Record<string, string>;
  /** `GET /metrics` (and `HEAD`), when served: called once Host, Origin and token passed. */
  metrics?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Something went wrong serving a request (reported; the request got a 500). */
  onError: (err: unknown) => void;
}

export interface Front {
  /** `http://127.0.0.1:8931`: where it listens (the port the system chose for 0). */
  readonly origin: string;
  /** Ends every session, stops their children, and stops listening. */
  close(): Promise<void>;
}

const MCP_PATH = /^\/([^/]+)\/mcp\/?$/;

/** Why: starts listening; rejects with the listener's error (address in use, …). */
export async function startFront(sdk: FrontSdk, options: FrontOptions): Promise<Front> {
  const scheme = options.tls === null ? 'http' : 'https';
  const table = new SessionTable(sdk, options.open, options.sessions);
  const stateless = new StatelessRoute(options.open);
  let hosts = new Set<string>();
  let origin = '';
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    serve(req, res).catch((err: unknown) => {
      options.onError(err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  };
  const server =
    options.tls === null ? createHttpServer(handler) : createHttpsServer(options.tls, handler);
  const expiry = setInterval(
    () => table.expireIdle(),
    Math.max(1000, Math.min(30_000, options.sessions.idleMs / 4)),
  );
  expiry.unref();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal =
      checkHost(req.headers.host, hosts, scheme === 'https' ? 443 : 80) ??
      checkOrigin(req.headers.origin, hosts, scheme);
    if (refusal !== null) return refuse(res, refusal);
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path === '/healthz' && req.method === 'GET') {
      return sendJson(res, 200, { status: 'ok', servers: options.health() });
    }
    const unauthorized = checkBearer(req.headers.authorization, options.tokenMatches);
    if (unauthorized !== null) return refuse(res, unauthorized);
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/metrics' && read && options.metrics !== undefined) {
      return options.metrics(req, res);
    }
    const name = MCP_PATH.exec(path)?.[1];
    const served = name === undefined ? undefined : options.servers.get(decodeURIComponent(name));
    if (name === undefined || served === undefined) {
      return sendJson(res, 404, { error: `nothing at ${path}; servers are at /<server>/mcp` });
    }
    await serveMcp(req, res, decodeURIComponent(name), served.maxMessageBytes);
  }

  async function serveMcp(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    maxBytes: number,
  ): Promise<void> {
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readBoundedBody(req, maxBytes);
      if (!read.ok) {
        res.setHeader('connection', 'close');
        return sendWebResponse(
          rpcError(
            413,
            -31053,
            `the request body is over limits.maxMessageBytes (${maxBytes} bytes)`,
          ),
          res,
        );
      }
      try {
        body = JSON.parse(read.body.toString('utf8'));
      } catch {
        return sendWebResponse(rpcError(400, -32700, 'Parse error: the body is not JSON'), res);
      }
    }
    const request = toWebRequest(req, origin, null);
    const route = sdk.classifyInboundRequest({
      httpMethod: req.method ?? 'GET',
      ...header(req, 'mcp-protocol-version', 'protocolVersionHeader'),
      ...header(req, 'mcp-method', 'mcpMethodHeader'),
      ...header(req, 'mcp-name', 'mcpNameHeader'),
      body,
    });
    let response: Response;
    if (route.kind === 'reject') {
      const id = (body as { id?: string | number } | undefined)?.id ?? null;
      response = rpcError(route.httpStatus, route.code, route.message, {}, id);
    } else if (route.kind === 'modern') {
      response = await stateless.handle(name, route.message, remote, maxBytes, request.signal);
    } else {
      response = await table.handle({ server: name, request, body, remote, maxBytes });
    }
    await sendWebResponse(response, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', options.onError);
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(options.listen.host, port);
  origin = `${scheme}://${urlHost(options.listen.host)}:${port}`;
  return {
    origin,
    async close() {
      clearInterval(expiry);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([table.close(), stateless.close()]);
      server.closeAllConnections();
      await closed;
    },
  };
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  const headers: Record<string, string> =
    refusal.status === 401 ? { 'www-authenticate': 'Bearer realm="mcp-guard"' } : {};
  sendJson(res, refusal.status, { error: refusal.message }, headers);
}

function header<K extends string>(
  req: IncomingMessage,
  name: string,
  key: K,
): { [P in K]?: string } {
  const value = req.headers[name];
  return typeof value === 'string' ? ({ [key]: value } as { [P in K]?: string }) : {};
}
