/**
 * Brings a new child up to date with the client's session (SPEC section 5), through mcp-guard's
 * own requests while the relay holds the client's: the client's `initialize` (as first forwarded,
 * after policy rewrites), a check that the child agrees to the same protocol version,
 * `notifications/initialized`, the last `logging/setLevel`, every live `resources/subscribe`; then
 * the lists the client has seen are fetched again and compared with what the dead child advertised.
 * In the stateless era there is no session to replay: a `server/discover` checks that the child
 * speaks the client's protocol version and the lists are compared the same way; the streams the
 * client holds open (`subscriptions/listen`) are opened again by their retry once it is released.
 */
import type { Writable } from 'node:stream';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ServerConfig } from '../config/types.js';
import { DISCOVER_METHOD, STATELESS_PROTOCOL_VERSION } from '../protocol/era.js';
import { isObject } from '../protocol/jsonrpc.js';
import type { CatalogItem, ListKind, ServerCatalog } from '../policy/catalog.js';
import { canonicalJson } from '../policy/pin/definition.js';
import type { SessionMemory } from '../relay/session-memory.js';
import { walkPages, type Walk } from '../relay/list-pages.js';
import { sessionReplay } from '../audit/event-constructors.js';

/** What the replay needs of the relay (Relay satisfies it). */
export interface ReplayTarget {
  readonly memory: SessionMemory;
  readonly catalog: ServerCatalog;
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown>;
  notifyServer(method: string, params?: Record<string, unknown>): void;
  /** A walk of mcp-guard's own replaces the catalog's list of this kind. */
  adoptListing(kind: ListKind, walk: Walk): void;
  /** The held server may take the client's requests now. */
  release(): void;
  notifyClient(method: string): void;
}

/** The new child cannot carry the session on; restarting it again would not help. */
export class ReplayRefused extends Error {
  override readonly name = 'ReplayRefused';
}

const KINDS: readonly ListKind[] = ['tools', 'resources', 'prompts'];

/** Replays the session; resolves with the lists that differ from before the restart. */
export async function replaySession(relay: ReplayTarget, timeoutMs: number): Promise<ListKind[]> {
  const memory = relay.memory;
  if (memory.protocolVersion === undefined && memory.era === 'stateless') {
    return resumeStateless(relay, timeoutMs);
  }
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
  return compareLists(relay, isObject(init.capabilities) ? init.capabilities : {}, timeoutMs);
}

/** A stateless-era session on a new child: the same protocol version, and the lists. */
async function resumeStateless(relay: ReplayTarget, timeoutMs: number): Promise<ListKind[]> {
  const found = await relay.request(DISCOVER_METHOD, {}, timeoutMs);
  if (!isObject(found)) throw new Error(`the new child answered ${DISCOVER_METHOD} with no result`);
  const version = relay.memory.statelessVersion ?? STATELESS_PROTOCOL_VERSION;
  const supported = found.supportedVersions;
  if (Array.isArray(supported) && !supported.includes(version)) {
    throw new ReplayRefused(
      `the new child speaks protocol ${supported.map(String).join(', ')}, the session speaks ${version}`,
    );
  }
  const changed = await compareLists(
    relay,
    isObject(found.capabilities) ? found.capabilities : {},
    timeoutMs,
  );
  return changed;
}

/** Lists the new child again what the client has seen; the kinds that differ from before. */
async function compareLists(
  relay: ReplayTarget,
  capabilities: Record<string, unknown>,
  timeoutMs: number,
): Promise<ListKind[]> {
  const changed: ListKind[] = [];
  for (const kind of KINDS) {
    if (!relay.catalog.seen(kind)) continue;
    const request = (method: string, params: Record<string, unknown>): Promise<unknown> =>
      relay.request(method, params, timeoutMs);
    const walk =
      kind in capabilities
        ? await walkPages(request, `${kind}/list`, kind, { lenient: true })
        : { items: [] };
    if (differ(relay.catalog.list(kind).items, walk.items, kind)) changed.push(kind);
    relay.adoptListing(kind, walk);
  }
  return changed;
}

/** How long each replayed request may take: the health timeout, at least 30 s, at most a call's. */
export function replayTimeout(server: ServerConfig): number {
  return Math.min(server.limits.callTimeout, Math.max(server.health.timeout, 30_000));
}

export interface ResumeOptions {
  relay: ReplayTarget;
  timeoutMs: number;
  audit: AuditSink;
  server: string;
  /** The new child's pid, for the audit record. */
  pid: number;
  /** The child is still the current one (the session did not stop or move on meanwhile). */
  isCurrent(): boolean;
  /** Where to say that the child cannot resume the session, with this prefix. */
  echo: Writable | null;
  prefix: string;
}

/** How a resume ended: the session carries on, or the child cannot take it (refused: ever). */
export type ResumeOutcome =
  { resumed: true } | { resumed: false; reason: string; refused: boolean } | 'stale';

/**
 * Replays the session on a new child, audits `session.replay`, and on success releases the held
 * client requests and tells the client which lists changed. 'stale' when the child stopped being
 * the current one meanwhile (then nothing is audited or released).
 */
export async function resumeSession(options: ResumeOptions): Promise<ResumeOutcome> {
  const { relay, audit, server, pid } = options;
  try {
    const changed = await replaySession(relay, options.timeoutMs);
    if (!options.isCurrent()) return 'stale';
    audit.record(server, sessionReplay({ pid, listsChanged: changed }));
    relay.release();
    for (const kind of changed) relay.notifyClient(`notifications/${kind}/list_changed`);
    return { resumed: true };
  } catch (err) {
    if (!options.isCurrent()) return 'stale';
    const reason = (err as Error).message;
    audit.record(server, sessionReplay({ pid, failed: reason }));
    const refused = err instanceof ReplayRefused;
    if (refused) {
      options.echo?.write(
        `${options.prefix}mcp-guard: server '${server}' cannot resume the session: ${reason}\n`,
      );
    }
    return { resumed: false, reason, refused };
  }
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
