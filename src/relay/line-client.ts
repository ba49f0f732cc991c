/**
 * A minimal MCP client over a pair of streams: what `up` uses to perform the handshake with each
 * server through the same relay a real client would talk to.
 */
import type { Readable, Writable } from 'node:stream';
import { LineFramer } from '../protocol/framing.js';
import { idKey, parseLine, type RequestId } from '../protocol/jsonrpc.js';

interface Waiter {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class LineClient {
  readonly #output: Writable;
  readonly #waiters = new Map<string, Waiter>();
  #nextId = 1;

  constructor(io: { input: Readable; output: Writable }, maxMessageBytes: number) {
    this.#output = io.output;
    const framer = new LineFramer(maxMessageBytes, (frame) => {
      if (frame.kind !== 'line') return;
      const parsed = parseLine(frame.bytes);
      if (!parsed.ok) return;
      const message = parsed.message;
      if (message.kind === 'request') {
        // `up` declares no client capabilities; anything asked of it is not supported.
        this.#send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32601, message: 'Method not found' },
        });
        return;
      }
      if (message.kind !== 'response' && message.kind !== 'error') return;
      const waiter = this.#waiters.get(idKey(message.id));
      if (waiter === undefined) return;
      this.#waiters.delete(idKey(message.id));
      clearTimeout(waiter.timer);
      if (message.kind === 'response') waiter.resolve(message.result);
      else waiter.reject(new Error(message.error.message));
    });
    io.input.on('data', (chunk: Buffer) => framer.push(chunk));
  }

  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const id: RequestId = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(idKey(id));
        reject(new Error(`no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(idKey(id), { resolve, reject, timer });
      this.#send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params?: Record<string, unknown>): void {
    this.#send({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
  }

  /** Closes the client's side: the relay sees EOF, as from a real client. */
  close(): void {
    this.#output.end();
  }

  #send(message: Record<string, unknown>): void {
    this.#output.write(`${JSON.stringify(message)}\n`);
  }
}
