/**
 * The session-era sessions of the HTTP front: one guarded session (one child) per
 * `Mcp-Session-Id`, made by an `initialize` POST, found by its header afterwards, and ended by
 * `DELETE`, by idle expiry, by the session cap's refusal of new ones, or when its guarded session
 * ends. The SDK's transport does the wire: session ids on responses, SSE streams, `DELETE`.
 */
import { randomUUID } from 'node:crypto';
import type { SessionChannel, OpenChannel } from './channel.js';
import { SessionBridge } from './session-bridge.js';

/** The part of `@modelcontextprotocol/server` the table uses (loaded only by `up --http`). */
export type ServerSdk = Pick<
  typeof import('@modelcontextprotocol/server'),
  'WebStandardStreamableHTTPServerTransport'
>;

export interface SessionLimits {
  /** Sessions at once, per manifest server: one more is refused (503) until one ends. */
  maxSessions: number;
  /** A session nothing was sent to or from for this long is ended (ms). */
  idleMs: number;
}

interface Entry {
  server: string;
  transport: InstanceType<ServerSdk['WebStandardStreamableHTTPServerTransport']>;
  bridge: SessionBridge;
  lastSeen: number;
}

export interface SessionRequest {
  server: string;
  request: Request;
  body: unknown;
  remote: string;
  maxBytes: number;
}

export class SessionTable {
  readonly #sdk: ServerSdk;
  readonly #open: OpenChannel;
  readonly #limits: SessionLimits;
  readonly #now: () => number;
  readonly #sessions = new Map<string, Entry>();
  /** Sessions being opened (child starting), counted against the cap. */
  readonly #opening = new Map<string, number>();
  #closed = false;

  constructor(sdk: ServerSdk, open: OpenChannel, limits: SessionLimits, now = Date.now) {
    this.#sdk = sdk;
    this.#open = open;
    this.#limits = limits;
    this.#now = now;
  }

  /** How many sessions each server has. */
  count(server: string): number {
    let n = this.#opening.get(server) ?? 0;
    for (const entry of this.#sessions.values()) if (entry.server === server) n += 1;
    return n;
  }

  /** Why: one HTTP request of the session era, answered by the session it names or a new one. */
  async handle(call: SessionRequest): Promise<Response> {
    const id = call.request.headers.get('mcp-session-id');
    if (id !== null) {
      const entry = this.#sessions.get(id);
      if (entry === undefined || entry.server !== call.server) {
        return rpcError(404, -32001, 'Session not found');
      }
      return this.#serve(entry, call);
    }
    if (call.request.method !== 'POST' || !isInitialize(call.body)) {
      return rpcError(400, -32000, 'Bad Request: no Mcp-Session-Id (start with initialize)');
    }
    if (this.#closed) return rpcError(503, -32000, 'mcp-guard is stopping');
    if (this.count(call.server) >= this.#limits.maxSessions) {
      return rpcError(
        503,
        -32000,
        `session cap reached: ${this.#limits.maxSessions} sessions of '${call.server}' are open`,
        { 'retry-after': '5' },
      );
    }
    return this.#create(call);
  }

  async #create(call: SessionRequest): Promise<Response> {
    const id = randomUUID();
    this.#opening.set(call.server, (this.#opening.get(call.server) ?? 0) + 1);
    let channel: SessionChannel;
    try {
      channel = await this.#open(call.server, { remote: call.remote, session: id });
    } finally {
      this.#opening.set(call.server, (this.#opening.get(call.server) ?? 1) - 1);
    }
    const transport = new this.#sdk.WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessionclosed: () => void this.#end(id),
    });
    const bridge = new SessionBridge(transport, channel, call.maxBytes);
    transport.onclose = () => void this.#end(id);
    await transport.start();
    const entry: Entry = { server: call.server, transport, bridge, lastSeen: this.#now() };
    this.#sessions.set(id, entry);
    void channel.ended.then(() => this.#end(id));
    if (this.#closed) void this.#end(id);
    return this.#serve(entry, call);
  }

  async #serve(entry: Entry, call: SessionRequest): Promise<Response> {
    entry.lastSeen = this.#now();
    try {
      return await entry.transport.handleRequest(call.request, { parsedBody: call.body });
    } finally {
      entry.lastSeen = this.#now();
    }
  }

  /**
   * Why: a session no request came for in `idleMs`, with no answer awaited, is ended (a client's
   * open GET stream alone does not keep it: a client that comes back gets 404 and starts anew).
   */
  expireIdle(): void {
    const now = this.#now();
    for (const [id, entry] of this.#sessions) {
      const idle = now - entry.lastSeen >= this.#limits.idleMs;
      if (idle && entry.bridge.pending === 0) void this.#end(id);
    }
  }

  async #end(id: string): Promise<void> {
    const entry = this.#sessions.get(id);
    if (entry === undefined) return;
    this.#sessions.delete(id);
    await Promise.allSettled([entry.transport.close(), entry.bridge.channel.stop()]);
  }

  /** Ends every session (and refuses new ones); resolves when their children are gone. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#sessions.keys()].map((id) => this.#end(id)));
  }
}

function isInitialize(body: unknown): boolean {
  const one: unknown = Array.isArray(body) ? (body as unknown[])[0] : body;
  return (
    typeof one === 'object' && one !== null && (one as { method?: unknown }).method === 'initialize'
  );
}

/** Why: the front's own refusals are JSON-RPC errors, as the SDK's transport writes its own. */
export function rpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: string | number | null = null,
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
