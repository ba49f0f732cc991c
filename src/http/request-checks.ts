/**
 * The checks every request to the HTTP front passes before anything else reads it (SPEC section
 * 8): DNS-rebinding protection by `Host` and `Origin`, and the bearer token. Pure functions over
 * header values, each returning a refusal (status and words) or null.
 */
import { isIP } from 'node:net';

export interface Refusal {
  status: 401 | 403;
  message: string;
}

/** Why: the `Host` values this front answers to: the names and address it was reached by. */
export function allowedHosts(listenHost: string, port: number): Set<string> {
  const names = new Set<string>();
  const add = (host: string): void => {
    const inUrl = isIP(host) === 6 ? `[${host}]` : host;
    names.add(`${inUrl}:${port}`.toLowerCase());
  };
  add(listenHost);
  if (['127.0.0.1', '::1', 'localhost'].includes(listenHost.toLowerCase())) {
    for (const host of ['127.0.0.1', '::1', 'localhost']) add(host);
  }
  return names;
}

/**
 * Why: a page on some web site that resolves its own name to this machine (DNS rebinding) sends
 * its own name as `Host`; only names this front was reached by are served. A `Host` without a
 * port means the scheme's default port, which must then be ours.
 */
export function checkHost(
  header: string | undefined,
  allowed: ReadonlySet<string>,
  defaultPort: number,
): Refusal | null {
  if (header === undefined || header === '') {
    return { status: 403, message: 'no Host header' };
  }
  const host = header.toLowerCase();
  const withPort = /:\d+$/.test(host) && !/^\[[^\]]*$/.test(host) ? host : `${host}:${defaultPort}`;
  if (allowed.has(withPort)) return null;
  return { status: 403, message: `Host '${header}' is not this server (DNS rebinding protection)` };
}

/**
 * Why: a browser page of another origin may send requests here (it cannot read the token, but
 * it must not even reach a server); a request with an `Origin` is served only when that origin
 * is this front itself. Clients that are not browsers send no `Origin`.
 */
export function checkOrigin(
  header: string | undefined,
  allowed: ReadonlySet<string>,
  scheme: 'http' | 'https',
): Refusal | null {
  if (header === undefined) return null;
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    return { status: 403, message: `Origin '${header}' is not this server` };
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const host = `${url.hostname}:${port}`.toLowerCase();
  if (url.protocol === `${scheme}:` && allowed.has(host)) return null;
  return { status: 403, message: `Origin '${header}' is not this server` };
}

/** Why: the token is required on every endpoint but `/healthz` (`matches` compares in constant time). */
export function checkBearer(
  header: string | undefined,
  matches: (header: string | undefined) => boolean,
): Refusal | null {
  if (matches(header)) return null;
  return {
    status: 401,
    message:
      header === undefined
        ? 'no Authorization: Bearer token'
        : "the bearer token is not this server's",
  };
}
