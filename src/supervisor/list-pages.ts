/**
 * Walking a paginated MCP listing (`tools/list`, `resources/list`, `prompts/list`) to its end, for
 * mcp-guard's own requests: `up`'s handshake counts the items, a restart compares them.
 */
import { isObject } from '../protocol/jsonrpc.js';

/** A listing longer than this many pages is cut here rather than walked to its end. */
export const MAX_PAGES = 100;

/** Sends one request of mcp-guard's own and resolves with its result. */
export type OwnRequest = (method: string, params: Record<string, unknown>) => Promise<unknown>;

/** Every item of `key` over all pages of `method` (the objects only), following `nextCursor`. */
export async function listAllPages(
  request: OwnRequest,
  method: string,
  key: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await request(method, cursor === undefined ? {} : { cursor });
    if (!isObject(result)) break;
    const found = result[key];
    if (Array.isArray(found)) for (const item of found) if (isObject(item)) items.push(item);
    if (typeof result.nextCursor !== 'string') break;
    cursor = result.nextCursor;
  }
  return items;
}
