/**
 * The two eras of MCP (SPEC section 5), and which one a client's session is in, decided from what
 * the client actually sends:
 *
 * - the session era (2024-11-05 … 2025-11-25): `initialize` opens a session the server keeps;
 * - the stateless era (2026-07-28 and later): no handshake; each request carries its protocol
 *   version and the client's capabilities in `_meta`, and `server/discover` may come first.
 *
 * A dual-era client on stdio probes with `server/discover` and falls back to `initialize` when the
 * probe fails: so `initialize` always wins, and once sent it holds for the rest of the session.
 */
import { isObject } from './jsonrpc.js';

export type Era = 'session' | 'stateless';

/** The first protocol version of the stateless era. */
export const STATELESS_PROTOCOL_VERSION = '2026-07-28';

/** The `_meta` keys a stateless-era request carries. */
export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';

/** The stateless era's probe, also its health check (it has no `ping`). */
export const DISCOVER_METHOD = 'server/discover';

/** A version string of the stateless era: a `YYYY-MM-DD` date on or after 2026-07-28. */
export function isStatelessVersion(version: unknown): version is string {
  return (
    typeof version === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(version) &&
    version >= STATELESS_PROTOCOL_VERSION
  );
}

/** A request's `_meta`, when its params carry one. */
export function requestMeta(params: unknown): Record<string, unknown> | undefined {
  if (!isObject(params)) return undefined;
  return isObject(params._meta) ? params._meta : undefined;
}

/** The stateless-era protocol version a request declares in its `_meta`, if it declares one. */
export function statelessVersionOf(params: unknown): string | undefined {
  const version = requestMeta(params)?.[META_PROTOCOL_VERSION];
  return isStatelessVersion(version) ? version : undefined;
}

/**
 * The era one client request speaks: `initialize` the session era; `server/discover` or a
 * stateless-era `_meta` the stateless era; anything else (a notification, a request with no such
 * `_meta`) says nothing.
 */
export function eraOfRequest(method: string, params: unknown): Era | undefined {
  if (method === 'initialize') return 'session';
  if (method === DISCOVER_METHOD) return 'stateless';
  return statelessVersionOf(params) === undefined ? undefined : 'stateless';
}

/**
 * The session's era after one more client request: undecided until the first request that says;
 * stateless while the client speaks so; the session era from its `initialize` on, for good (a
 * dual-era client's fallback after a failed probe; a session, once opened, is what a new child
 * must be brought back to).
 */
export function nextEra(
  current: Era | undefined,
  method: string,
  params: unknown,
): Era | undefined {
  if (current === 'session') return current;
  return eraOfRequest(method, params) ?? current;
}

/**
 * The params of a request of mcp-guard's own in the stateless era: the `_meta` every request of
 * that era carries, with the session's version and no client capabilities (mcp-guard answers no
 * request a server might put inside a result).
 */
export function withStatelessMeta(
  params: Record<string, unknown>,
  version: string = STATELESS_PROTOCOL_VERSION,
): Record<string, unknown> {
  return {
    ...params,
    _meta: {
      ...requestMeta(params),
      [META_PROTOCOL_VERSION]: version,
      [META_CLIENT_CAPABILITIES]: {},
    },
  };
}
