/**
 * Requests mcp-guard sends itself — the relay's health pings and session replay, `up`'s, `pin`'s
 * and `prepare`'s handshake — and the correlation of their answers: one table of ids waiting for
 * a response, each with its timeout. The relay's server side uses ids of the form
 * `mcp-guard-<random>-<n>` that no client uses; LineClient, an MCP client of its own over a pair
 * of streams, numbers its requests 1, 2, 3… as any client would.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { LineFramer } from '../protocol/framing.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { errorLine, parseLine, type RequestId, type RpcMessage } from '../protocol/jsonrpc.js';

/** No answer came in time (as opposed to an error answer, which proves the server is alive). */
/**
 * The server answered a request of mcp-guard's own with an error. Its `message` quotes the
 * server's words: fit for the audit log (which cleans and redacts), never for the client as is.
 */
export class ServerErrorReply extends Error {
  readonly code: number;

  constructor(code: number, serverMessage: string) {
    super(`${code}: ${serverMessage}`);
    this.code = code;
  }
}
export class OwnRequestTimeout extends Error {
  override readonly name = 'OwnRequestTimeout';
}

interface Waiting {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Ids no client uses: `mcp-guard-<8 hex>-1`, `-2`, … */
export function ownIds(): () => RequestId {
  const prefix = `mcp-guard-${randomBytes(4).toString('hex')}-`;
  let next = 1;
  return () => `${prefix}${next++}`;
}

/** Ids as a client numbers them: 1, 2, 3… */
export function numberedIds(): () => RequestId {
  let next = 1;
  return () => next++;
}

export class OwnRequests {
  readonly #waiting = new Map<RequestId, Waiting>();
  readonly #nextId: () => RequestId;

  constructor(nextId: () => RequestId = ownIds()) {
    this.#nextId = nextId;
  }

  /** Writes the request with `write` and resolves with its result (rejects on error or timeout). */
  send(
    write: (line: string) => void,
    method: string,
    params: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<unknown> {
    const id = this.#nextId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new OwnRequestTimeout(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(id, { resolve, reject, timer });
      write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  /** Settles the request this response answers; false when it answers none of ours. */
  settle(message: Extract<RpcMessage, { kind: 'response' | 'error' }>): boolean {
    const waiting = this.#waiting.get(message.id);
    if (waiting === undefined) return false;
    this.#waiting.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.kind === 'response') waiting.resolve(message.result);
    else waiting.reject(new ServerErrorReply(message.error.code, message.error.message));
    return true;
  }

  /** Whether a request of ours with this id waits for its answer. */
  has(id: RequestId): boolean {
    return this.#waiting.has(id);
  }

  /** Fails the request with this id (its answer came malformed); false when it is none of ours. */
  fail(id: RequestId, reason: string): boolean {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return false;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    waiting.reject(new Error(reason));
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

/**
 * A minimal MCP client over a pair of streams (`up`, `pin` and `prepare` talk to a server, or to
 * the relay in front of it, as a real client would). It declares no capabilities: a request the
 * server sends it is answered with "Method not found".
 */
export class LineClient {
  readonly #output: Writable;
  readonly #requests = new OwnRequests(numberedIds());

  constructor(io: { input: Readable; output: Writable }, maxMessageBytes: number) {
    this.#output = io.output;
    const framer = new LineFramer(maxMessageBytes, (frame) => {
      if (frame.kind !== 'line') return;
      const parsed = parseLine(frame.bytes);
      if (!parsed.ok) return;
      const message = parsed.message;
      if (message.kind === 'request') {
        this.#write(
          errorLine(message.id, { code: ErrorCode.MethodNotFound, message: 'Method not found' }),
        );
      } else if (message.kind !== 'notification') {
        this.#requests.settle(message);
      }
    });
    io.input.on('data', (chunk: Buffer) => framer.push(chunk));
  }

  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    return this.#requests.send((line) => this.#write(line), method, params, timeoutMs);
  }

  notify(method: string, params?: Record<string, unknown>): void {
    this.#write(
      `${JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) })}\n`,
    );
  }

  /** Closes the client's side: the relay sees EOF, as from a real client. */
  close(): void {
    this.#output.end();
  }

  #write(line: string): void {
    this.#output.write(line);
  }
}
