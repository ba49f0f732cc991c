/**
 * mcp-guard's own model of the server (SPEC 6.3): it walks the server's `tools/list` and
 * `prompts/list` itself — every page, its own request ids, bounded (list-pages.ts) — once the
 * client's session is up and again after each `list_changed`, so that argument validation,
 * pinning, read-only retries and the refusal of unlisted tools never depend on what the client
 * chose to list. A call that needs the list (`tools/call`, `prompts/get`) while it is not known —
 * not walked yet, being walked, changed since, or a walk that failed — waits for a walk (starting
 * one if none is under way) and is then checked against it.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { RequestId } from '../protocol/jsonrpc.js';
import { idKey } from '../protocol/jsonrpc.js';
import type { ListKind, ServerCatalog } from '../policy/catalog.js';
import { LIST_ITEM_RULE, unjudgedItems } from '../policy/access.js';
import type { AuditEvent } from '../audit/events.js';
import { policyDeny, policyListing } from '../audit/event-constructors.js';
import { walkPages, type OwnRequest, type Walk } from './list-pages.js';
import { ServerErrorReply } from './own-requests.js';

/** The lists mcp-guard walks itself. */
export type OwnKind = Extract<ListKind, 'tools' | 'prompts'>;

const OWN_KINDS: readonly OwnKind[] = ['tools', 'prompts'];

/** Calls waiting for a walk at most; past this they are answered at once (-31052). */
export const MAX_WAITING = 1000;

/** A client request that waits for mcp-guard's walk of `kind`. */
export interface Waiter {
  id: RequestId;
  kind: OwnKind;
  /** performance.now() when it arrived. */
  since: number;
  /** Checks and forwards the request now (the walk settled, or the request may wait no more). */
  resume(): void;
}

export interface ListingDeps {
  catalog: ServerCatalog;
  /** Sends a request of mcp-guard's own to the server. */
  request: OwnRequest;
  /** A server is attached that takes mcp-guard's own requests. */
  attached(): boolean;
  /** The capabilities the server declared in its `initialize` result, once known. */
  serverCapabilities(): Record<string, unknown> | undefined;
  /** The catalog's list of `kind` was just replaced by a walk of mcp-guard's own. */
  listed(kind: OwnKind): void;
  /** Runs the resumption of waiting requests (the relay corks its peers around it). */
  batch(work: () => void): void;
  /** Writes an audit record for this server: a walk cut or failed, items it could not judge. */
  record(event: AuditEvent): void;
}

/** The request that needs mcp-guard's own list of this kind before it can be checked. */
export function listNeeded(method: string): OwnKind | undefined {
  if (method === 'tools/call') return 'tools';
  if (method === 'prompts/get') return 'prompts';
  return undefined;
}

export class OwnListing {
  readonly #deps: ListingDeps;
  /** Walks under way, by kind; `again`: a list_changed came during the walk. */
  readonly #walks = new Map<OwnKind, { again: boolean }>();
  /** Kinds whose last walk failed (a call then triggers a new walk). */
  readonly #failed = new Set<OwnKind>();
  readonly #waiting = new Map<string, Waiter>();
  /** Bumped when the server is detached: walks of an earlier server count for nothing. */
  #generation = 0;

  constructor(deps: ListingDeps) {
    this.#deps = deps;
  }

  /** The list is known: walked by mcp-guard, not changed since, no walk under way, none failed. */
  ready(kind: OwnKind): boolean {
    const catalog = this.#deps.catalog;
    return (
      catalog.seen(kind) &&
      !catalog.list(kind).stale &&
      !this.#walks.has(kind) &&
      !this.#failed.has(kind)
    );
  }

  /** Requests waiting for a walk. */
  get waiting(): number {
    return this.#waiting.size;
  }

  has(id: RequestId): boolean {
    return this.#waiting.has(idKey(id));
  }

  /** The client's session is up (it sent `notifications/initialized`): walk every list. */
  begin(): void {
    for (const kind of OWN_KINDS) if (!this.ready(kind)) this.#start(kind);
  }

  /** The server said the list changed: walk it again (once more, if a walk is under way). */
  changed(kind: ListKind): void {
    if (kind === 'resources') return;
    const walk = this.#walks.get(kind);
    if (walk !== undefined) walk.again = true;
    else this.#start(kind);
  }

  /** Makes `waiter` wait for the walk of its kind, starting one if needed; false when full. */
  wait(waiter: Waiter): boolean {
    if (this.#waiting.size >= MAX_WAITING) return false;
    this.#waiting.set(idKey(waiter.id), waiter);
    if (!this.#walks.has(waiter.kind)) this.#start(waiter.kind);
    return true;
  }

  /** The client cancelled a waiting request: it is forgotten. */
  cancel(id: RequestId): boolean {
    return this.#waiting.delete(idKey(id));
  }

  /** Removes and returns the requests that waited `timeoutMs` or longer by `now`. */
  takeLate(now: number, timeoutMs: number): Waiter[] {
    const late: Waiter[] = [];
    for (const [key, waiter] of this.#waiting) {
      if (now - waiter.since < timeoutMs) continue;
      this.#waiting.delete(key);
      late.push(waiter);
    }
    return late;
  }

  /** Removes and returns every waiting request (the server is unavailable: none can be checked). */
  takeAll(): Waiter[] {
    const all = [...this.#waiting.values()];
    this.#waiting.clear();
    return all;
  }

  /** The server is gone: walks under way count for nothing; waiting requests keep waiting. */
  detached(): void {
    this.#generation += 1;
    this.#walks.clear();
  }

  /**
   * A server takes requests again (after a restart's replay): lists not known are walked, and the
   * requests whose list is known go on.
   */
  resumed(): void {
    for (const kind of OWN_KINDS) {
      if (!this.ready(kind) && !this.#walks.has(kind) && this.#needed(kind)) this.#start(kind);
    }
    this.#wake();
  }

  /** A walk done elsewhere (the replay on a new child) replaces the list. */
  adopt(kind: ListKind, walk: Walk): void {
    this.#deps.catalog.replace(kind, walk.items, walk.cut);
    if (kind === 'resources') return;
    this.#failed.delete(kind);
    if (walk.unjudged !== undefined) {
      const withheld = unjudgedItems(kind, 'name', walk.unjudged);
      this.#deps.record(
        policyDeny({
          rule: LIST_ITEM_RULE,
          reason: withheld.reason,
          direction: 'server-to-client',
          method: `${kind}/list`,
        }),
      );
    }
    if (walk.cut !== undefined) {
      this.#deps.record(
        policyListing({ list: kind, outcome: 'cut', reason: walk.cut, items: walk.items.length }),
      );
    }
    this.#deps.listed(kind);
  }

  #needed(kind: OwnKind): boolean {
    for (const waiter of this.#waiting.values()) if (waiter.kind === kind) return true;
    return this.#deps.catalog.seen(kind);
  }

  #start(kind: OwnKind): void {
    if (!this.#deps.attached()) return; // resumed() starts it once a server takes requests
    const walk = { again: false };
    this.#walks.set(kind, walk);
    const generation = this.#generation;
    const declared = this.#deps.serverCapabilities();
    const listing: Promise<Walk> =
      declared !== undefined && !(kind in declared)
        ? Promise.resolve({ items: [] })
        : walkPages(this.#deps.request, `${kind}/list`, kind).catch((err: unknown) => {
            // Capabilities unknown (a stateless-era client that sent no server/discover):
            // "Method not found" is how a server without the list says it has none.
            if (declared !== undefined || !isMethodNotFound(err)) throw err;
            return { items: [] };
          });
    listing.then(
      (result) => this.#settle(kind, generation, walk, () => this.adopt(kind, result)),
      (err: unknown) =>
        this.#settle(kind, generation, walk, () => {
          this.#failed.add(kind);
          const reason = `its own ${kind}/list failed: ${(err as Error).message}`;
          this.#deps.record(policyListing({ list: kind, outcome: 'failed', reason }));
          // The refusals of calls quote this: never the server's own words (its error message).
          const said =
            err instanceof ServerErrorReply
              ? `the server answered error ${err.code}`
              : (err as Error).message;
          this.#deps.catalog.fail(kind, `its own ${kind}/list failed: ${said}`);
        }),
    );
  }

  #settle(kind: OwnKind, generation: number, walk: { again: boolean }, apply: () => void): void {
    if (generation !== this.#generation || this.#walks.get(kind) !== walk) return;
    this.#walks.delete(kind);
    apply();
    if (walk.again) {
      this.#start(kind);
      if (this.#walks.has(kind)) return;
    }
    this.#wake(kind);
  }

  /** Resumes the requests whose list is known now (or, for `failed`, the walk just failed). */
  #wake(failed?: OwnKind): void {
    const due = [...this.#waiting].filter(
      ([, waiter]) => this.ready(waiter.kind) || waiter.kind === failed,
    );
    if (due.length === 0) return;
    this.#deps.batch(() => {
      for (const [key, waiter] of due) {
        if (this.#waiting.delete(key)) waiter.resume();
      }
    });
  }
}

function isMethodNotFound(err: unknown): boolean {
  return err instanceof ServerErrorReply && err.code === ErrorCode.MethodNotFound;
}
