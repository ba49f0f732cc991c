/**
 * One session-era client session over HTTP: the SDK's Streamable HTTP server transport on one
 * side, the session's guarded relay on the other. Messages the client posts go to the relay as
 * lines; the relay's lines go back through the transport, which routes a response to the stream
 * of its request, and a notification to the stream of the request it is about (its progress
 * token) or else to the client's GET stream.
 */
import type { Transport, JSONRPCMessage } from '@modelcontextprotocol/server';
import { readMessages, writeMessage, type SessionChannel } from './channel.js';

type RequestId = string | number;

/** The transport's send, as this bridge calls it. */
type Send = Transport['send'];

export class SessionBridge {
  readonly channel: SessionChannel;
  readonly #send: Send;
  /** Progress token → the request it reports on. */
  readonly #progress = new Map<unknown, RequestId>();
  /** Requests sent on and not yet answered, with their progress tokens. */
  readonly #open = new Map<string, unknown>();

  constructor(transport: Transport, channel: SessionChannel, maxBytes: number) {
    this.channel = channel;
    this.#send = transport.send.bind(transport);
    transport.onmessage = (message) => this.#fromClient(message);
    readMessages(channel.output, maxBytes, (message) => this.#fromRelay(message));
  }

  /** Requests the client is still waiting for. */
  get pending(): number {
    return this.#open.size;
  }

  #fromClient(message: JSONRPCMessage): void {
    const body = message as Record<string, unknown>;
    if (typeof body.method === 'string' && isId(body.id)) {
      const params = body.params as { _meta?: { progressToken?: unknown } } | undefined;
      const token = params?._meta?.progressToken;
      if (token !== undefined) this.#progress.set(token, body.id);
      this.#open.set(key(body.id), token);
    }
    writeMessage(this.channel.input, message);
  }

  #fromRelay(message: Record<string, unknown>): void {
    let related: RequestId | undefined;
    if (message.method === undefined && isId(message.id)) {
      const token = this.#open.get(key(message.id));
      this.#open.delete(key(message.id));
      if (token !== undefined) this.#progress.delete(token);
    } else if (message.id === undefined) {
      const params = message.params as { progressToken?: unknown; requestId?: unknown } | undefined;
      related =
        params?.progressToken === undefined ? undefined : this.#progress.get(params.progressToken);
    }
    this.#send(
      message as JSONRPCMessage,
      related === undefined ? {} : { relatedRequestId: related },
    ).catch(() => {
      // The stream it belonged to is gone (the client went away); the relay has audited it.
    });
  }
}

function isId(value: unknown): value is RequestId {
  return typeof value === 'string' || typeof value === 'number';
}

function key(id: RequestId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}
