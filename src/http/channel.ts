/**
 * What the HTTP front needs of a guarded session: a channel of JSON-RPC lines to and from it (the
 * same lines a stdio client would write and read), and a way to stop it. `cli/` opens them (a
 * GuardSession in front of a child, audited, as `run` does); the front only carries messages.
 */
import type { Readable, Writable } from 'node:stream';
import { LineFramer } from '../protocol/framing.js';
import { isObject } from '../protocol/jsonrpc.js';

export interface SessionChannel {
  /** Lines to the session's relay, as a client writes them. */
  readonly input: Writable;
  /** Lines from the relay: responses, notifications, the server's requests. */
  readonly output: Readable;
  /** Ends the session and stops its child; resolves once it is gone. */
  stop(): Promise<void>;
  /** Resolves when the session ended by itself or by stop(). */
  readonly ended: Promise<unknown>;
}

/** Who a channel is opened for: its audit records carry both. */
export interface ChannelOwner {
  /** The client's address and port (`127.0.0.1:51234`). */
  remote: string;
  /** The `Mcp-Session-Id`; null for the server's shared stateless-era session. */
  session: string | null;
}

/** Opens a guarded session of one manifest server. */
export type OpenChannel = (server: string, owner: ChannelOwner) => Promise<SessionChannel>;

/** A message of the relay, parsed from its line (the relay writes only valid JSON-RPC). */
export type LineMessage = Record<string, unknown>;

/** Why: the relay's lines as objects, one callback per line. */
export function readMessages(
  output: Readable,
  maxBytes: number,
  onMessage: (message: LineMessage) => void,
): void {
  const framer = new LineFramer(maxBytes, (frame) => {
    if (frame.kind !== 'line') return;
    let value: unknown;
    try {
      value = JSON.parse(frame.bytes.toString('utf8'));
    } catch {
      return;
    }
    if (isObject(value)) onMessage(value);
  });
  output.on('data', (chunk: Buffer) => framer.push(chunk));
  output.once('end', () => framer.end());
}

/** Why: one JSON-RPC message as the line the relay reads. */
export function writeMessage(input: Writable, message: unknown): void {
  if (!input.writableEnded) input.write(`${JSON.stringify(message)}\n`);
}
