/**
 * `GET /metrics` (SPEC section 8): Prometheus text behind the bearer token. `metricsHandler` is
 * the endpoint alone, for any node:http server to mount (`up --http` does); `serveMetrics` is the
 * plain server of `up --metrics`, which serves nothing else. Requests are checked in this order:
 * a `Host` that is not a loopback name, or an `Origin` from elsewhere (DNS rebinding: a web page
 * a browser shows reaching a local port), 403; then the token, 401; then the method, 405.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { bearerMatches } from './token.js';
import { isLoopbackHost as isLoopback, type ListenAddress } from './listen-address.js';

export interface MetricsEndpointOptions {
  token: string;
  /** The exposition text now. */
  render: () => string;
}

/**
 * Why: answers `req` if it is for `/metrics` (true), else leaves it to the caller (false). Its
 * `Host` and `Origin` must name a loopback host (the caller checks those itself when it serves
 * other hosts, under TLS).
 */
export function metricsHandler(
  options: MetricsEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return false;
    if (!loopbackHost(req.headers.host) || !loopbackOrigin(req.headers.origin)) {
      answer(res, 403, 'forbidden: Host and Origin must name this machine\n');
    } else if (!bearerMatches(options.token, req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="mcp-guard"');
      answer(
        res,
        401,
        'unauthorized: send Authorization: Bearer <the token in .mcp-guard/token>\n',
      );
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      answer(res, 405, 'method not allowed\n');
    } else {
      sendExposition(req, res, options.render());
    }
    return true;
  };
}

/** Why: the 200 answer of `/metrics`, for `up --metrics` and `up --http`'s front alike. */
export function sendExposition(req: IncomingMessage, res: ServerResponse, body: string): void {
  res.writeHead(200, {
    'Content-Type': EXPOSITION_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface MetricsServer {
  /** Where it listens (the port the system chose, when 0 was asked). */
  address: ListenAddress;
  close(): Promise<void>;
}

/** Why: `up --metrics`: a server of `/metrics` only; anything else is 404. */
export async function serveMetrics(
  listen: ListenAddress,
  options: MetricsEndpointOptions,
): Promise<MetricsServer> {
  const handle = metricsHandler(options);
  const server = createServer((req, res) => {
    // The body of a request is never read: drain it so the connection can be reused.
    req.resume();
    if (!handle(req, res)) answer(res, 404, 'not found: only GET /metrics is served here\n');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.listen(listen.port, listen.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => Promise.reject(err as Error)),
  ]);
  // A scraper's keep-alive connection must not keep mcp-guard running once it stops.
  server.unref();
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : listen.port;
  return {
    address: { host: listen.host, port },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** `Host` is `localhost`, `127.x.y.z`, `[::1]`, with or without a port. */
function loopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  return isLoopback(name);
}

/** No `Origin` (not a browser), or one whose host is a loopback one. */
function loopbackOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const host = new URL(origin).hostname;
    return isLoopback(host.startsWith('[') ? host.slice(1, -1) : host);
  } catch {
    return false;
  }
}
