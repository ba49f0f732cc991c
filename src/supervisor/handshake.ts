/**
 * The MCP handshake `up` performs with a server, and what it learns: protocol version and how many
 * tools, resources and prompts it offers (following pagination).
 */
import { isObject } from '../protocol/jsonrpc.js';
import type { LineClient } from '../relay/own-requests.js';
import { listAllPages } from '../relay/list-pages.js';

/** The protocol version mcp-guard's own client asks for. */
export const CLIENT_PROTOCOL_VERSION = '2025-06-18';

export interface HandshakeResult {
  protocolVersion: string;
  serverName: string;
  tools: number | null;
  resources: number | null;
  prompts: number | null;
  handshakeMs: number;
}

export async function performHandshake(
  client: LineClient,
  version: string,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const started = performance.now();
  const init = await client.request(
    'initialize',
    {
      protocolVersion: CLIENT_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'mcp-guard up', version },
    },
    timeoutMs,
  );
  const handshakeMs = Math.round(performance.now() - started);
  if (!isObject(init)) throw new Error('initialize answered with no result object');
  client.notify('notifications/initialized');
  const capabilities = isObject(init.capabilities) ? init.capabilities : {};
  const info = isObject(init.serverInfo) ? init.serverInfo : {};
  const count = (method: string, key: string): Promise<number | null> =>
    key in capabilities
      ? listAllPages((m, params) => client.request(m, params, timeoutMs), method, key).then(
          (items) => items.length,
        )
      : Promise.resolve(null);
  const [tools, resources, prompts] = await Promise.all([
    count('tools/list', 'tools'),
    count('resources/list', 'resources'),
    count('prompts/list', 'prompts'),
  ]);
  return {
    protocolVersion: typeof init.protocolVersion === 'string' ? init.protocolVersion : '?',
    serverName: typeof info.name === 'string' ? info.name : '?',
    tools,
    resources,
    prompts,
    handshakeMs,
  };
}
