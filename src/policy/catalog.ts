/**
 * What the server advertises, as it advertised it (before any filtering): its tools, resources
 * and prompts from the latest walk through each list method (`tools/list`, `resources/list`,
 * `prompts/list`). In a session, tools and prompts come from mcp-guard's own walks only (the relay's
 * own listing, SPEC 6.3), never from what a client chose to list. Policy checks read tools'
 * annotations and schemas from here; the supervisor compares the lists across a restart.
 *
 * A walk starts with a request without a cursor (the items so far are replaced) and goes on
 * through pages requested with the `nextCursor` of the previous one (items are added). A
 * `notifications/…/list_changed` from the server marks that list stale until the next walk.
 */
import { isObject } from '../protocol/jsonrpc.js';

export type ListKind = 'tools' | 'resources' | 'prompts';

/** The list methods and the key their items are named by. */
const LISTS: Readonly<Record<string, { kind: ListKind; key: 'name' | 'uri' }>> = {
  'tools/list': { kind: 'tools', key: 'name' },
  'resources/list': { kind: 'resources', key: 'uri' },
  'prompts/list': { kind: 'prompts', key: 'name' },
};

const CHANGED: Readonly<Record<string, ListKind>> = {
  'notifications/tools/list_changed': 'tools',
  'notifications/resources/list_changed': 'resources',
  'notifications/prompts/list_changed': 'prompts',
};

/** One advertised item: the object exactly as the server sent it. */
export type CatalogItem = Record<string, unknown>;

export interface CatalogList {
  /** By name (tools, prompts) or URI (resources), in the order the server listed them. */
  readonly items: ReadonlyMap<string, CatalogItem>;
  /** The walk reached a page without `nextCursor`. */
  readonly complete: boolean;
  /** The server said the list changed since it was walked. */
  readonly stale: boolean;
  /** Bumped whenever the list's content is replaced or extended. */
  readonly version: number;
  /**
   * Why the list may lack items the server has: mcp-guard's own walk was cut at its bound, or
   * failed (then the items are those of the last walk that succeeded, if any).
   */
  readonly gap: string | undefined;
}

interface MutableList {
  items: Map<string, CatalogItem>;
  complete: boolean;
  stale: boolean;
  version: number;
  /** Whether any walk has been seen at all. */
  seen: boolean;
  gap: string | undefined;
}

export class ServerCatalog {
  readonly #lists: Record<ListKind, MutableList> = {
    tools: emptyList(),
    resources: emptyList(),
    prompts: emptyList(),
  };

  /** The list method this request walks, if it is one. */
  static listKind(method: string): ListKind | undefined {
    return LISTS[method]?.kind;
  }

  /** The list a `notifications/…/list_changed` says changed, if it is one. */
  static changedKind(method: string): ListKind | undefined {
    return CHANGED[method];
  }

  list(kind: ListKind): CatalogList {
    return this.#lists[kind];
  }

  /** Whether the server's list of this kind has been walked at least once. */
  seen(kind: ListKind): boolean {
    return this.#lists[kind].seen;
  }

  /** The tool as last advertised, if any. */
  tool(name: string): CatalogItem | undefined {
    return this.#lists.tools.items.get(name);
  }

  /** True when the tool is advertised with `annotations.readOnlyHint: true`. */
  isReadOnlyTool(name: string): boolean {
    const annotations = this.tool(name)?.annotations;
    return isObject(annotations) && annotations.readOnlyHint === true;
  }

  /**
   * Records a list result. `params` are the request's (a `cursor` continues a walk).
   * Results that are not list results are ignored.
   */
  observeResult(method: string, params: unknown, result: unknown): void {
    const spec = LISTS[method];
    if (spec === undefined || !isObject(result)) return;
    const page = result[spec.kind];
    if (!Array.isArray(page)) return;
    const list = this.#lists[spec.kind];
    const continues = isObject(params) && typeof params.cursor === 'string';
    if (!continues) list.items = new Map();
    for (const item of page) {
      if (!isObject(item)) continue;
      const key = item[spec.key];
      if (typeof key === 'string') list.items.set(key, item);
    }
    list.complete = typeof result.nextCursor !== 'string';
    list.stale = false;
    list.gap = undefined;
    list.seen = true;
    list.version += 1;
  }

  /** Records a server notification; true when it says a list changed. */
  observeNotification(method: string): boolean {
    const kind = CHANGED[method];
    if (kind === undefined) return false;
    this.#lists[kind].stale = true;
    return true;
  }

  /**
   * Replaces a whole list at once: mcp-guard's own walk of the server (`gap` says why it may
   * lack items: it was cut at its bound).
   */
  replace(kind: ListKind, items: readonly CatalogItem[], gap?: string): void {
    const spec = Object.values(LISTS).find((entry) => entry.kind === kind)!;
    const list = this.#lists[kind];
    list.items = new Map();
    for (const item of items) {
      const key = item[spec.key];
      if (typeof key === 'string') list.items.set(key, item);
    }
    list.complete = true;
    list.stale = false;
    list.seen = true;
    list.gap = gap;
    list.version += 1;
  }

  /**
   * mcp-guard's own walk of the list failed: what is not in the list as last known is not known
   * to exist (a call naming it is refused, never let through unchecked).
   */
  fail(kind: ListKind, reason: string): void {
    const list = this.#lists[kind];
    list.complete = true;
    list.stale = false;
    list.seen = true;
    list.gap = reason;
    list.version += 1;
  }
}

function emptyList(): MutableList {
  return {
    items: new Map(),
    complete: false,
    stale: false,
    version: 0,
    seen: false,
    gap: undefined,
  };
}
