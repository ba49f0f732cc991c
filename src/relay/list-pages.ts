/**
 * Walking a paginated MCP listing (`tools/list`, `resources/list`, `prompts/list`) to its end with
 * mcp-guard's own requests — the guard's own model of the server, `up`'s counts, a restart's
 * comparison — bounded, so that a hostile server cannot keep mcp-guard listing forever.
 */
import { isObject } from '../protocol/jsonrpc.js';
import { kindOf } from '../policy/params-shapes.js';

/** A listing longer than this many pages is cut here rather than walked to its end. */
export const MAX_PAGES = 100;
/** A listing of more items than this is cut here. */
export const MAX_ITEMS = 10_000;

/** Sends one request of mcp-guard's own and resolves with its result. */
export type OwnRequest = (method: string, params: Record<string, unknown>) => Promise<unknown>;

export interface Walk {
  /** The item objects of every page walked, in order (at most MAX_ITEMS). */
  items: Record<string, unknown>[];
  /** Why the walk stopped before a page without `nextCursor`, if it did. */
  cut?: string;
  /**
   * Items left out because their `name` (`uri` for resources) is not a string, which no rule can
   * judge: what each had instead (`name: a number`, `item: a string`).
   */
  unjudged?: string[];
}

/**
 * Every item of `key` over all pages of `method`, following `nextCursor`, until a page without
 * one, a cursor seen before, MAX_PAGES pages or MAX_ITEMS items. A result that is not a list
 * result rejects (what the server offers cannot be known from it), or with `lenient` ends the walk.
 */
export async function walkPages(
  request: OwnRequest,
  method: string,
  key: string,
  options: { pages?: number; items?: number; lenient?: boolean } = {},
): Promise<Walk> {
  const bounds = { pages: options.pages ?? MAX_PAGES, items: options.items ?? MAX_ITEMS };
  const items: Record<string, unknown>[] = [];
  const unjudged: string[] = [];
  const named = key === 'resources' ? 'uri' : 'name';
  const done = (cut?: string): Walk => ({
    items,
    ...(cut === undefined ? {} : { cut }),
    ...(unjudged.length === 0 ? {} : { unjudged }),
  });
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < bounds.pages; page += 1) {
    const result = await request(method, cursor === undefined ? {} : { cursor });
    if (!isObject(result) || !Array.isArray(result[key])) {
      if (options.lenient === true) return done();
      throw new Error(`the server's ${method} result has no ${key} array`);
    }
    for (const item of result[key] as unknown[]) {
      if (!isObject(item) || typeof item[named] !== 'string') {
        unjudged.push(
          isObject(item) ? `${named}: ${kindOf(item[named])}` : `item: ${kindOf(item)}`,
        );
        continue;
      }
      if (items.length === bounds.items) return done(`${method} was cut at ${bounds.items} items`);
      items.push(item);
    }
    if (typeof result.nextCursor !== 'string') return done();
    if (cursors.has(result.nextCursor)) {
      return done(`${method} repeated a cursor after ${page + 1} pages`);
    }
    cursors.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  return done(`${method} was cut at ${bounds.pages} pages`);
}

/** The items of every page (walkPages, lenient): for counting and comparing, not for policy. */
export async function listAllPages(
  request: OwnRequest,
  method: string,
  key: string,
): Promise<Record<string, unknown>[]> {
  return (await walkPages(request, method, key, { lenient: true })).items;
}
