/**
 * Brings a new child up to date with the client's session (SPEC section 5), through mcp-guard's
 * own requests while the relay holds the client's: the client's `initialize` (as first forwarded,
 * after policy rewrites), a check that the child agrees to the same protocol version,
 * `notifications/initialized`, the last `logging/setLevel`, every live `resources/subscribe`; then
 * the lists the client has seen are fetched again and compared with what the dead child advertised.
 */
import { isObject } from '../protocol/jsonrpc.js';
import type { CatalogItem, ListKind } from '../policy/catalog.js';
import { canonicalJson } from '../policy/pin/definition.js';
import type { Relay } from '../relay/relay.js';
import { listAllPages } from './list-pages.js';

/** The new child cannot carry the session on; restarting it again would not help. */
export class ReplayRefused extends Error {
  override readonly name = 'ReplayRefused';
}

const KINDS: readonly ListKind[] = ['tools', 'resources', 'prompts'];

/** Replays the session; resolves with the lists that differ from before the restart. */
export async function replaySession(relay: Relay, timeoutMs: number): Promise<ListKind[]> {
  const memory = relay.memory;
  if (memory.initialize === undefined) return [];
  const init = await relay.request('initialize', memory.initialize, timeoutMs);
  if (!isObject(init)) throw new Error('the new child answered initialize with no result');
  if (memory.protocolVersion !== undefined && init.protocolVersion !== memory.protocolVersion) {
    throw new ReplayRefused(
      `the new child speaks protocol ${String(init.protocolVersion)}, the session was opened with ${memory.protocolVersion}`,
    );
  }
  if (memory.initialized) relay.notifyServer('notifications/initialized');
  const replays: Promise<unknown>[] = [];
  if (memory.logLevel !== undefined) {
    replays.push(relay.request('logging/setLevel', memory.logLevel, timeoutMs));
  }
  for (const uri of memory.subscriptions) {
    replays.push(relay.request('resources/subscribe', { uri }, timeoutMs));
  }
  await Promise.all(replays);
  const capabilities = isObject(init.capabilities) ? init.capabilities : {};
  const changed: ListKind[] = [];
  for (const kind of KINDS) {
    if (!relay.catalog.seen(kind)) continue;
    const request = (method: string, params: Record<string, unknown>): Promise<unknown> =>
      relay.request(method, params, timeoutMs);
    const items = kind in capabilities ? await listAllPages(request, `${kind}/list`, kind) : [];
    if (differ(relay.catalog.list(kind).items, items, kind)) changed.push(kind);
    relay.catalog.replace(kind, items);
  }
  return changed;
}

/** Same keys with the same definitions, in any order. */
function differ(
  before: ReadonlyMap<string, CatalogItem>,
  after: readonly CatalogItem[],
  kind: ListKind,
): boolean {
  if (before.size !== after.length) return true;
  const key = kind === 'resources' ? 'uri' : 'name';
  for (const item of after) {
    const name = item[key];
    if (typeof name !== 'string') return true;
    const old = before.get(name);
    if (old === undefined || canonicalJson(old) !== canonicalJson(item)) return true;
  }
  return false;
}
