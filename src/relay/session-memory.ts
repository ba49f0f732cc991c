/**
 * What the client told the server that a new child must be told again for the client's session to
 * carry on (SPEC section 5): its `initialize` (as forwarded, after policy rewrites), whether it sent
 * `notifications/initialized`, its last `logging/setLevel`, and its live `resources/subscribe`s —
 * or, in the stateless era (protocol/era.ts), which protocol version the client speaks.
 * Also which requests may be retried on a new child when the old one dies with them in flight.
 */
import { nextEra, statelessVersionOf, type Era } from '../protocol/era.js';
import { isObject } from '../protocol/jsonrpc.js';
import type { ServerCatalog } from '../policy/catalog.js';
import type { PendingRequest } from './pending.js';
import { isStream } from './streams.js';

export class SessionMemory {
  /** The session's era (protocol/era.ts), from the client's requests; undefined until one says. */
  era: Era | undefined;
  /** The stateless-era protocol version the client's requests declared last. */
  statelessVersion: string | undefined;
  /** The server answered the client in the stateless era: a new child is brought up to it. */
  statelessOpen = false;
  /** The `initialize` params as forwarded to the server. */
  initialize: Record<string, unknown> | undefined;
  /** The protocol version the first child agreed to; a new child must agree to the same. */
  protocolVersion: string | undefined;
  initialized = false;
  /** The params of the client's last `logging/setLevel`. */
  logLevel: Record<string, unknown> | undefined;
  /** URIs the client subscribed to (and did not unsubscribe from). */
  readonly subscriptions = new Set<string>();

  /**
   * Records a client request as it arrives, before any policy: it may decide the era. Once a
   * session is open (its `initialize` answered), its era holds for good (era.ts): nothing to read.
   */
  onClientRequest(method: string, params: unknown): void {
    if (this.protocolVersion !== undefined) return;
    this.era = nextEra(this.era, method, params);
    const version = statelessVersionOf(params);
    if (version !== undefined) this.statelessVersion = version;
  }

  /** Records a request as it is forwarded to the server. */
  onRequest(method: string, params: unknown): void {
    switch (method) {
      case 'initialize':
        if (isObject(params)) this.initialize = params;
        return;
      case 'logging/setLevel':
        if (isObject(params)) this.logLevel = params;
        return;
      case 'resources/subscribe':
        if (isObject(params) && typeof params.uri === 'string') this.subscriptions.add(params.uri);
        return;
      case 'resources/unsubscribe':
        if (isObject(params) && typeof params.uri === 'string') {
          this.subscriptions.delete(params.uri);
        }
        return;
      default:
        return;
    }
  }

  /** The capabilities the server declared in its answer to the client's `initialize`. */
  serverCapabilities: Record<string, unknown> | undefined;

  /**
   * The server refused the client's `initialize`: no session was opened, and the client may still
   * speak the stateless era (mcp-guard's own `up` and `pin` try `initialize` first).
   */
  onInitializeRefused(): void {
    if (this.protocolVersion === undefined) this.era = undefined;
  }

  /** Records the server's answer to a `server/discover` of the client's. */
  onDiscoverResult(result: unknown): void {
    if (this.serverCapabilities !== undefined || !isObject(result)) return;
    if (isObject(result.capabilities)) this.serverCapabilities = result.capabilities;
  }

  /** Records the server's successful answer to the client's `initialize`. */
  onInitializeResult(result: unknown): void {
    if (this.protocolVersion !== undefined || !isObject(result)) return;
    this.serverCapabilities = isObject(result.capabilities) ? result.capabilities : {};
    if (typeof result.protocolVersion === 'string') this.protocolVersion = result.protocolVersion;
  }
}

/**
 * Requests whose repetition changes nothing (SPEC section 5): listings, `resources/read`, `ping`,
 * `server/discover`, and `tools/call` of a tool advertised with `readOnlyHint: true`. `initialize` too: a client whose
 * handshake was in flight when the child died gets it answered by the next child (see
 * `retriesWithoutLimit`). A stream (`subscriptions/listen`) is opened again on the next child.
 */
export function isIdempotent(entry: PendingRequest, catalog: ServerCatalog): boolean {
  const { method } = entry;
  if (method === 'tools/call') {
    return entry.tool !== undefined && catalog.isReadOnlyTool(entry.tool);
  }
  return (
    method.endsWith('/list') ||
    method === 'resources/read' ||
    method === 'ping' ||
    method === 'server/discover' ||
    method === 'initialize' ||
    isStream(method)
  );
}

/**
 * The client's `initialize` is sent to every next child until one answers it or the server is
 * `failed` (then it gets -31052): a server that crashes at start must not leave the client's
 * handshake answered with -31054 when the next start may well succeed. A stream is opened again
 * on every next child, for as long as the client listens.
 */
export function retriesWithoutLimit(entry: PendingRequest): boolean {
  return entry.method === 'initialize' || isStream(entry.method);
}

/** A new child must be brought up to the client's session before it takes the client's requests. */
export function mustResume(memory: SessionMemory): boolean {
  return (
    memory.protocolVersion !== undefined || (memory.era === 'stateless' && memory.statelessOpen)
  );
}
