/**
 * How the relay's two sides talk: each knows the other only through the few methods below, and
 * the relay that owns both through RelayCore (what they share: policy, audit, the client's output,
 * the catalog and session memory). Neither reaches into the other's tables.
 */
import type { Readable } from 'node:stream';
import type { JsonRpcError, RequestId, RpcMessage } from '../protocol/jsonrpc.js';
import type { ServerCatalog } from '../policy/catalog.js';
import type { CheckContext } from '../policy/pipeline.js';
import type { Direction, Verdict } from '../policy/verdict.js';
import type { OwnListing } from './own-listing.js';
import type { PendingRequest } from './pending.js';
import type { MessageRecords } from './message-records.js';
import type { RelayOptions } from './relay-options.js';
import type { SessionMemory } from './session-memory.js';
import type { TaskCalls } from './task-results.js';
import type { Sink } from './sink.js';

/** What both sides use of the relay that owns them. */
export interface RelayCore {
  readonly options: RelayOptions;
  readonly clientSink: Sink;
  readonly catalog: ServerCatalog;
  readonly memory: SessionMemory;
  /** The server's state as the supervisor sees it (named in -31052 answers). */
  state(): string;
  batch(work: () => void): void;
  /** `bytes`: the line the message came in, when it came in one (its size is what goes out). */
  inspect(
    message: RpcMessage,
    direction: Direction,
    request?: CheckContext['request'],
    bytes?: Buffer | null,
  ): Verdict;
  /** The audit records of the messages both sides handle. */
  readonly records: MessageRecords;
  /** Which tool call each task the server made of one answers (task-results.ts). */
  readonly tasks: TaskCalls;
  replyError(id: RequestId | null, error: JsonRpcError, source?: Readable): void;
  /** Sends the server a request of mcp-guard's own (its answer never reaches the client). */
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown>;
  /** The server answered a client request of this method (readiness: see Relay.onAnswered). */
  onAnswered(method: string, message: Extract<RpcMessage, { kind: 'response' | 'error' }>): void;
  /** mcp-guard's own listing of the server, when enabled. */
  readonly listing: OwnListing | null;
  /** A list result the client asked for (the catalog learns what it does not list itself). */
  observeClientList(method: string, params: unknown, result: unknown): void;
  /** A notification from the server (a `list_changed` makes mcp-guard list again). */
  observeServerNotification(method: string): void;
}

/** What the client side asks of the server side. */
export interface ServerPeer {
  /** A server is attached and not held. */
  readonly accepting: boolean;
  /** Writes a client message: the original bytes when unchanged, else re-serialised. */
  write(message: RpcMessage, bytes: Buffer | null, source?: Readable): void;
  /** Writes one serialised line (with its newline). */
  writeText(line: string): void;
  /** mcp-guard's own request with this id waits for the server's answer. */
  ownsId(id: RequestId): boolean;
  notify(method: string, params?: Record<string, unknown>): void;
  /** The client answered a server→client request. */
  forwardClientResponse(
    message: Extract<RpcMessage, { kind: 'response' | 'error' }>,
    bytes: Buffer | null,
  ): void;
}

/** What the server side asks of the client side. */
export interface ClientPeer {
  /** The client's request with this id is in flight. */
  hasPending(id: RequestId): boolean;
  /** Removes the client's request this response answers, if it is in flight. */
  takePending(id: RequestId): PendingRequest | undefined;
  /** The capabilities the client declared in its `initialize`, if it sent one. */
  capabilities(): unknown;
}
