/**
 * Stateless-era requests (2026-07-28: each carries its version and capabilities in `_meta`, no
 * session) of one manifest server, served by one shared guarded session: each request goes to its
 * relay under an id of the front's own (two clients may both use id 1), and its answer comes back
 * under the client's id as one JSON body. Notifications are accepted with 202.
 */
import { readMessages, writeMessage, type OpenChannel, type SessionChannel } from './channel.js';
import { rpcError } from './session-table.js';

type RequestId = string | number;

interface Waiting {
  id: RequestId;
  resolve: (response: Response) => void;
}

/** One server's shared session, opened on the first stateless request. */
class SharedSession {
  readonly #waiting = new Map<string, Waiting>();
  readonly channel: SessionChannel;
  #next = 1;

  constructor(channel: SessionChannel, maxBytes: number) {
    this.channel = channel;
    readMessages(channel.output, maxBytes, (message) => this.#answer(message));
    void channel.ended.then(() => {
      for (const waiting of this.#waiting.values()) {
        waiting.resolve(rpcError(503, -31052, 'the server session ended', {}, waiting.id));
      }
      this.#waiting.clear();
    });
  }

  request(message: Record<string, unknown>, signal: AbortSignal): Promise<Response> {
    const own = `http-${this.#next++}`;
    const id = message.id as RequestId;
    return new Promise((resolve) => {
      this.#waiting.set(own, { id, resolve });
      signal.addEventListener('abort', () => {
        if (!this.#waiting.delete(own)) return;
        // The client is gone: the server is told, as any client would tell it.
        writeMessage(this.channel.input, {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: own, reason: 'the HTTP client went away' },
        });
      });
      writeMessage(this.channel.input, { ...message, id: own });
    });
  }

  #answer(message: Record<string, unknown>): void {
    if (message.method !== undefined || typeof message.id !== 'string') return;
    const waiting = this.#waiting.get(message.id);
    if (waiting === undefined) return;
    this.#waiting.delete(message.id);
    const body = JSON.stringify({ ...message, id: waiting.id });
    waiting.resolve(
      new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }),
    );
  }
}

export class StatelessRoute {
  readonly #open: OpenChannel;
  readonly #shared = new Map<string, Promise<SharedSession>>();

  constructor(open: OpenChannel) {
    this.#open = open;
  }

  /** Why: one classified 2026-07-28 message, answered from the server's shared session. */
  async handle(
    server: string,
    message: Record<string, unknown>,
    remote: string,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<Response> {
    const shared = await this.#session(server, remote, maxBytes);
    if (message.id === undefined) {
      writeMessage(shared.channel.input, message);
      return new Response(null, { status: 202 });
    }
    return shared.request(message, signal);
  }

  #session(server: string, remote: string, maxBytes: number): Promise<SharedSession> {
    let shared = this.#shared.get(server);
    if (shared === undefined) {
      shared = this.#open(server, { remote, session: null }).then((channel) => {
        void channel.ended.then(() => this.#shared.delete(server));
        return new SharedSession(channel, maxBytes);
      });
      shared.catch(() => this.#shared.delete(server));
      this.#shared.set(server, shared);
    }
    return shared;
  }

  async close(): Promise<void> {
    const all = [...this.#shared.values()];
    this.#shared.clear();
    await Promise.allSettled(all.map(async (shared) => (await shared).channel.stop()));
  }
}
