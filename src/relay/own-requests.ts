/**
 * Requests mcp-guard sends the server itself (the handshake of `up`, health pings): ids of the
 * form `mcp-guard-<random>-<n>` that no client uses, answered here and never passed to the client.
 */
import { randomBytes } from 'node:crypto';
import { idKey, type RpcMessage } from '../protocol/jsonrpc.js';

/** No answer came in time (as opposed to an error answer, which proves the server is alive). */
export class OwnRequestTimeout extends Error {
  override readonly name = 'OwnRequestTimeout';
}

interface Waiting {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class OwnRequests {
  readonly #waiting = new Map<string, Waiting>();
  readonly #prefix = `mcp-guard-${randomBytes(4).toString('hex')}-`;
  #next = 1;

  /** Writes the request with `write` and resolves with its result (rejects on error or timeout). */
  send(
    write: (line: string) => void,
    method: string,
    params: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<unknown> {
    const id = `${this.#prefix}${this.#next++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(idKey(id));
        reject(new OwnRequestTimeout(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(idKey(id), { resolve, reject, timer });
      write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  /** Settles the request this response answers; false when it answers none of ours. */
  settle(message: Extract<RpcMessage, { kind: 'response' | 'error' }>): boolean {
    const key = idKey(message.id);
    const waiting = this.#waiting.get(key);
    if (waiting === undefined) return false;
    this.#waiting.delete(key);
    clearTimeout(waiting.timer);
    if (message.kind === 'response') waiting.resolve(message.result);
    else waiting.reject(new Error(`${message.error.code}: ${message.error.message}`));
    return true;
  }

  /** The server is gone: every request still waiting fails. */
  rejectAll(reason: string): void {
    for (const waiting of this.#waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(`server stopped: ${reason}`));
    }
    this.#waiting.clear();
  }
}
