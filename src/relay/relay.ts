/**
 * The two-way pump between one client and one server: framing → validation → policy → peer, in
 * order per direction, with the pending-request tables that correlate ids (never rewritten).
 * The server side can be attached and detached, so a supervisor can replace the child process
 * under a client session that stays open.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { DISCOVER_METHOD, withStatelessMeta } from '../protocol/era.js';
import { LineFramer } from '../protocol/framing.js';
import {
  errorLine,
  type JsonRpcError,
  type RequestId,
  type RpcMessage,
} from '../protocol/jsonrpc.js';
import { ServerCatalog, type ListKind } from '../policy/catalog.js';
import type { CheckContext, RecordEvent } from '../policy/pipeline.js';
import type { Direction, Verdict } from '../policy/verdict.js';
import { ClientSide } from './client-side.js';
import type { Walk } from './list-pages.js';
import { MessageRecords } from './message-records.js';
import { OwnListing } from './own-listing.js';
import type { RelayEvents, RelayOptions, Unavailable } from './relay-options.js';
import { ServerSide } from './server-side.js';
import { SessionMemory } from './session-memory.js';
import { TaskCalls } from './task-results.js';
import type { RelayCore } from './sides.js';
import { Sink } from './sink.js';

export type { RelayEvents, RelayOptions, Unavailable } from './relay-options.js';

/** How often queued and in-flight requests are checked against callTimeout, at most. */
const EXPIRY_SWEEP_MAX_MS = 1000;

export class Relay extends EventEmitter<RelayEvents> implements RelayCore {
  readonly options: RelayOptions;
  readonly clientSink: Sink;
  readonly client: ClientSide;
  readonly server: ServerSide;
  /** What the server advertised; survives a restart until the new child is listed. */
  readonly catalog = new ServerCatalog();
  /** What a new child must be told again for the client's session to carry on. */
  readonly memory = new SessionMemory();
  /** Which tool call each task answers, so its result gets a tool result's checks. */
  readonly tasks = new TaskCalls();
  readonly #sweep: NodeJS.Timeout;
  /** mcp-guard's own listing of the server, when enabled (RelayOptions.ownListing). */
  readonly listing: OwnListing | null;
  /** The audit records of the messages both sides handle. */
  readonly records: MessageRecords;
  /** How checks audit what is not their verdict (CheckContext.record). */
  readonly #record: RecordEvent = (event) => this.options.audit.record(this.options.server, event);

  constructor(options: RelayOptions) {
    super();
    this.options = options;
    this.records = new MessageRecords(options.audit, options.server, options.onCount);
    this.clientSink = new Sink(
      options.client.output,
      (err) => this.emit('client-gone', err),
      options.client.input,
    );
    this.server = new ServerSide(this, {
      hasPending: (id) => this.client.hasPending(id),
      takePending: (id) => this.client.takePending(id),
      capabilities: () => this.client.capabilities(),
    });
    this.client = new ClientSide(this, this.server);
    const own = options.ownListing;
    this.listing =
      own === undefined
        ? null
        : new OwnListing({
            catalog: this.catalog,
            request: (method, params) => this.request(method, params, own.timeoutMs),
            attached: () => this.server.accepting,
            serverCapabilities: () => this.memory.serverCapabilities,
            listed: (kind) =>
              this.options.pipeline.observeListing(kind, this.#context('client-to-server')),
            batch: (work) => this.batch(work),
            record: this.#record,
          });
    const input = options.client.input;
    const framer = new LineFramer(options.maxMessageBytes, (frame) => this.client.onFrame(frame));
    input.on('data', (chunk: Buffer) => this.batch(() => framer.push(chunk)));
    input.on('end', () => {
      framer.end();
      this.emit('client-end');
    });
    input.on('error', () => this.emit('client-end'));
    const every = Math.max(10, Math.min(EXPIRY_SWEEP_MAX_MS, Math.floor(options.callTimeout / 10)));
    this.#sweep = setInterval(() => this.expire(performance.now()), every);
    this.#sweep.unref();
  }

  /**
   * Connects a (new) server process: its stdout is read, its stdin written. A `held` server gets
   * only mcp-guard's own messages (the session replay) until release(); client requests wait.
   */
  attachServer(io: { input: Readable; output: Writable }, options: { held?: boolean } = {}): void {
    this.server.attach(io, options.held === true);
    if (!this.server.held) {
      this.client.flushQueue();
      this.listing?.resumed();
    }
  }

  /** A held server is up to date: retried and queued client requests go to it now. */
  release(): void {
    this.server.release();
    this.batch(() => this.client.flushQueue());
    this.listing?.resumed();
  }

  /**
   * The server is gone: requests in flight are answered with -31054, except (with `retry`, when a
   * new child will follow) idempotent ones, which are sent again to the next child.
   */
  detachServer(reason: string, options: { retry?: boolean } = {}): void {
    this.listing?.detached();
    this.batch(() => {
      this.server.detach(reason);
      this.client.serverGone(reason, options.retry === true, this.catalog);
    });
  }

  /** Stops the relay's timers (the session is over). */
  close(): void {
    clearInterval(this.#sweep);
  }

  /** The server's state as the supervisor sees it (named in -31052 answers). */
  state(): string {
    return this.options.state?.() ?? 'starting';
  }

  /** Answers what waited longer than callTimeout by `now` (performance.now()). */
  expire(now: number): void {
    this.batch(() => this.client.expire(now, this.options.callTimeout));
  }

  /** A server is attached and takes the client's requests (it is not held). */
  get serverAccepting(): boolean {
    return this.server.accepting;
  }

  /** performance.now() of the last bytes from the server (0 if none ever). */
  get lastServerTraffic(): number {
    return this.server.lastTraffic;
  }

  /**
   * Client calls in flight (forwarded, not yet answered): an open `subscriptions/listen` stream is
   * no work the server is doing.
   */
  get inFlight(): number {
    return this.client.pending.calls;
  }

  /** Messages refused by policy, for `status` and `up`. */
  get denials(): number {
    return this.records.denials;
  }

  /** `tools/call` requests forwarded to the server, for `status` and `up`. */
  get calls(): number {
    return this.client.calls;
  }

  /** Sends the server a notification of mcp-guard's own. */
  notifyServer(method: string, params?: Record<string, unknown>): void {
    this.server.notify(method, params);
  }

  /** Sends the client a notification of mcp-guard's own (e.g. a list changed across a restart). */
  notifyClient(method: string): void {
    this.clientSink.writeText(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`);
  }

  /**
   * The server answered a client request (SPEC section 5). In the session era the answer to
   * `initialize` opens the session (or, refused, leaves none open); in the stateless era any
   * answer shows the server up — except an error to `server/discover`, which a dual-era client's
   * probe of a session-era server gets before it falls back to `initialize`. 'handshake' says the
   * server may be taken for ready.
   */
  onAnswered(method: string, message: Extract<RpcMessage, { kind: 'response' | 'error' }>): void {
    const ok = message.kind === 'response';
    const memory = this.memory;
    if (method === 'initialize') {
      if (!ok) return memory.onInitializeRefused();
      memory.onInitializeResult(message.result);
      this.emit('handshake');
      return;
    }
    if (memory.era !== 'stateless' || (!ok && method === DISCOVER_METHOD)) return;
    if (ok && method === DISCOVER_METHOD) memory.onDiscoverResult(message.result);
    if (!memory.statelessOpen) {
      // The stateless session is up: mcp-guard lists the server itself, as after `initialized`.
      memory.statelessOpen = true;
      this.listing?.begin();
    }
    this.emit('handshake');
  }

  /** From now on, client requests are answered at once with -31052 and this state. */
  setUnavailable(unavailable: Unavailable | null): void {
    this.client.setUnavailable(unavailable);
    if (unavailable !== null) this.batch(() => this.client.flushQueue());
  }

  /**
   * Runs the handling of one input chunk with both peers and the audit log corked, so that all the
   * messages it carried leave in one write per peer (a chunk often holds many messages under load).
   * Releasing: first what goes to the server (a request starts work at once), then the audit
   * records, then what goes to the client — a reply never leaves before the record describing it,
   * and a request's record is on disk before its reply can even be read.
   */
  batch(work: () => void): void {
    const server = this.server.sink;
    const audit = this.options.audit;
    this.clientSink.cork();
    server?.cork();
    audit.cork?.();
    try {
      work();
    } finally {
      server?.uncork();
      audit.uncork?.();
      this.clientSink.uncork();
    }
  }

  /** Sends the client an error response. */
  replyError(id: RequestId | null, error: JsonRpcError, source?: Readable): void {
    this.clientSink.writeText(errorLine(id, error), source);
  }

  /**
   * Sends a request of mcp-guard's own to the server (ids that never reach the client), in the
   * session's era (a stateless-era request carries its `_meta`).
   */
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const { era, statelessVersion } = this.memory;
    const sent = era === 'stateless' ? withStatelessMeta(params, statelessVersion) : params;
    return this.server.request(method, sent, timeoutMs);
  }

  /** Runs the policy pipeline on a message, with everything a check may know about it. */
  inspect(
    message: RpcMessage,
    direction: Direction,
    request?: CheckContext['request'],
    bytes?: Buffer | null,
  ): Verdict {
    const context = this.#context(direction, request);
    if (bytes != null) context.received = { message, bytes: bytes.length };
    return this.options.pipeline.inspect(message, context);
  }

  /** One object per message, its members set in one order (no spread copies on the hot path). */
  #context(direction: Direction, request?: CheckContext['request']): CheckContext {
    const context: CheckContext = {
      direction,
      server: this.options.server,
      catalog: this.catalog,
      record: this.#record,
    };
    const clientInit = this.client.initParams;
    if (clientInit !== undefined) context.clientInit = clientInit;
    if (request !== undefined) context.request = request;
    return context;
  }

  /**
   * A list result the client asked for: the catalog learns from it only what mcp-guard does not
   * list itself (everything, without an own listing; resources, with one).
   */
  observeClientList(method: string, params: unknown, result: unknown): void {
    if (this.listing !== null && ServerCatalog.listKind(method) !== 'resources') return;
    this.catalog.observeResult(method, params, result);
  }

  /** The server said a list changed: it is stale, and mcp-guard walks it again. */
  observeServerNotification(method: string): void {
    if (!this.catalog.observeNotification(method)) return;
    const kind = ServerCatalog.changedKind(method);
    if (kind !== undefined) this.listing?.changed(kind);
  }

  /** A walk of mcp-guard's own (the replay's, on a new child) replaces a list of the catalog. */
  adoptListing(kind: ListKind, walk: Walk): void {
    if (this.listing === null) this.catalog.replace(kind, walk.items, walk.cut);
    else this.listing.adopt(kind, walk);
  }
}
