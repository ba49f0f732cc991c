/**
 * What a relay is made with (RelayOptions), the events it emits, and the state in which no server
 * can take requests. Apart from the class, so the relay's parts can name them without importing it.
 */
import type { Readable, Writable } from 'node:stream';
import type { Pipeline } from '../policy/pipeline.js';
import type { AuditSink } from '../audit/audit-sink.js';

export interface RelayOptions {
  server: string;
  client: { input: Readable; output: Writable };
  maxMessageBytes: number;
  audit: AuditSink;
  pipeline: Pipeline;
  /** ms: `limits.callTimeout`, the longest a request may wait for its answer (queued included). */
  callTimeout: number;
  /** The server's state as the supervisor sees it, named in -31052 answers (default `starting`). */
  state?: () => string;
  /**
   * mcp-guard lists the server itself (own-listing.ts), each page waiting at most `timeoutMs`;
   * the catalog's tools and prompts then come from its own walks only. Without it (tests of the
   * relay alone), the catalog learns from what the client lists.
   */
  ownListing?: { timeoutMs: number };
  /** Called when `calls` or `denials` grows (the session marks its snapshot as changed). */
  onCount?: () => void;
}

/** Why the server cannot take requests right now (answered with -31052 and this state). */
export interface Unavailable {
  state: string;
  reason: string;
}

export interface RelayEvents {
  /** The client closed its input (stdin EOF). */
  'client-end': [];
  /** The client's output failed (the client is gone). */
  'client-gone': [Error];
  /** The server answered the client's `initialize` with a result. */
  handshake: [];
}
