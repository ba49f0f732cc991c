/**
 * The MCP handshake `up`, `pin` and `prepare` perform with a server, and what it learns: protocol
 * version and how many tools, resources and prompts it offers (following pagination).
 *
 * Session era first: `initialize`, which every server of 2024-11-05 … 2025-11-25 answers and a
 * dual-era server serves as well. A server that refuses it (a stateless-era-only server must) is
 * opened the stateless way instead: `server/discover` and the listings, each request carrying the
 * 2026-07-28 `_meta`. This order leaves the servers of the session era exactly as they were
 * (nothing before their `initialize`); a server that neither answers `initialize` nor refuses it
 * fails as before.
 */
import {
  DISCOVER_METHOD,
  isStatelessVersion,
  STATELESS_PROTOCOL_VERSION,
  withStatelessMeta,
  type Era,
} from '../protocol/era.js';
import { isObject } from '../protocol/jsonrpc.js';
import { ServerErrorReply, type LineClient } from '../relay/own-requests.js';
import { listAllPages } from '../relay/list-pages.js';

/** The protocol version mcp-guard's own client asks for in the session era. */
export const CLIENT_PROTOCOL_VERSION = '2025-06-18';

/** Where the stateless era puts the server's name: its results' `_meta`. */
const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

export interface HandshakeResult {
  protocolVersion: string;
  serverName: string;
  tools: number | null;
  resources: number | null;
  prompts: number | null;
  handshakeMs: number;
  /** How the server was opened. */
  era: Era;
}

/** What opening the server told: its version, name and capabilities. */
interface Opened {
  era: Era;
  protocolVersion: string;
  info: Record<string, unknown>;
  capabilities: Record<string, unknown>;
}

export async function performHandshake(
  client: LineClient,
  version: string,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const started = performance.now();
  const opened = await open(client, version, timeoutMs);
  const handshakeMs = Math.round(performance.now() - started);
  const { capabilities, era } = opened;
  const request = (method: string, params: Record<string, unknown>): Promise<unknown> =>
    client.request(
      method,
      era === 'stateless' ? withStatelessMeta(params, opened.protocolVersion) : params,
      timeoutMs,
    );
  const count = (method: string, key: string): Promise<number | null> =>
    key in capabilities
      ? listAllPages(request, method, key).then((items) => items.length)
      : Promise.resolve(null);
  const [tools, resources, prompts] = await Promise.all([
    count('tools/list', 'tools'),
    count('resources/list', 'resources'),
    count('prompts/list', 'prompts'),
  ]);
  return {
    protocolVersion: opened.protocolVersion,
    serverName: typeof opened.info.name === 'string' ? opened.info.name : '?',
    tools,
    resources,
    prompts,
    handshakeMs,
    era,
  };
}

/** `initialize` (then `notifications/initialized`), or `server/discover` where it is refused. */
async function open(client: LineClient, version: string, timeoutMs: number): Promise<Opened> {
  let init: unknown;
  try {
    init = await client.request(
      'initialize',
      {
        protocolVersion: CLIENT_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'mcp-guard up', version },
      },
      timeoutMs,
    );
  } catch (err) {
    if (!(err instanceof ServerErrorReply)) throw err;
    return discover(client, timeoutMs, err);
  }
  if (!isObject(init)) throw new Error('initialize answered with no result object');
  client.notify('notifications/initialized');
  return {
    era: 'session',
    protocolVersion: typeof init.protocolVersion === 'string' ? init.protocolVersion : '?',
    info: isObject(init.serverInfo) ? init.serverInfo : {},
    capabilities: isObject(init.capabilities) ? init.capabilities : {},
  };
}

/** The stateless era's opening; when the server refuses that too, the `initialize` refusal. */
async function discover(
  client: LineClient,
  timeoutMs: number,
  refused: ServerErrorReply,
): Promise<Opened> {
  let found: unknown;
  try {
    found = await client.request(DISCOVER_METHOD, withStatelessMeta({}), timeoutMs);
  } catch (err) {
    if (err instanceof ServerErrorReply) {
      throw new Error(`initialize refused (${refused.message}), and ${DISCOVER_METHOD} too`);
    }
    throw err;
  }
  if (!isObject(found)) throw new Error(`${DISCOVER_METHOD} answered with no result object`);
  const supported = Array.isArray(found.supportedVersions) ? found.supportedVersions : [];
  const protocolVersion = supported.includes(STATELESS_PROTOCOL_VERSION)
    ? STATELESS_PROTOCOL_VERSION
    : (supported.find(isStatelessVersion) ?? STATELESS_PROTOCOL_VERSION);
  const meta = isObject(found._meta) ? found._meta : {};
  return {
    era: 'stateless',
    protocolVersion,
    info: isObject(meta[META_SERVER_INFO]) ? meta[META_SERVER_INFO] : {},
    capabilities: isObject(found.capabilities) ? found.capabilities : {},
  };
}
