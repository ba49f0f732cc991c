/**
 * Messages from the server: responses must answer a pending client request (or one of
 * mcp-guard's own); junk is dropped and audited, never forwarded; server→client requests for a
 * capability the client did not declare are answered here and never reach the client.
 */
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { LineFramer, type Frame } from '../protocol/framing.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  errorLine,
  resultLine,
  type ParseResult,
  type RequestId,
  type RpcMessage,
} from '../protocol/jsonrpc.js';
import { resultInEra } from '../protocol/result-type.js';
import { refusalLine } from '../policy/refusal.js';
import { checkClientCapability, declaresCapabilityFor, isErrorReply } from './answers.js';
import { dispatchFrame, type MessageHandlers } from './dispatch.js';
import { OwnRequests } from './own-requests.js';
import { ServerRequests } from './server-requests.js';
import { inspectAnswer, inspectNotice } from './task-results.js';
import type { ClientPeer, RelayCore, ServerPeer } from './sides.js';
import { Sink } from './sink.js';

const DIRECTION = 'server-to-client';

export class ServerSide implements ServerPeer {
  readonly #relay: RelayCore;
  readonly #client: ClientPeer;
  /** Server→client requests the client has not answered yet. */
  readonly #requests = new ServerRequests();
  readonly #own = new OwnRequests();
  #sink: Sink | null = null;
  #input: Readable | null = null;
  #held = false;
  /** performance.now() of the last bytes from the server: any traffic counts as a sign of life. */
  #lastTraffic = 0;

  constructor(relay: RelayCore, client: ClientPeer) {
    this.#relay = relay;
    this.#client = client;
  }

  /** performance.now() of the last bytes from the server (0 if none ever). */
  get lastTraffic(): number {
    return this.#lastTraffic;
  }

  /** A server is attached and not held (a held one is being brought up to date first). */
  get accepting(): boolean {
    return this.#sink !== null && !this.#held;
  }

  /** Held: attached, but only mcp-guard's own messages reach it (see Relay.attachServer). */
  get held(): boolean {
    return this.#held;
  }

  /** The held server is up to date: client requests may reach it. */
  release(): void {
    this.#held = false;
  }

  /** The server's stdin, while a server is attached. */
  get sink(): Sink | null {
    return this.#sink;
  }

  attach(io: { input: Readable; output: Writable }, held: boolean): void {
    this.#input = io.input;
    this.#held = held;
    this.#sink = new Sink(io.output, () => {
      // The child's stdin breaks when it dies; its exit is handled by the supervisor.
    });
    const framer = new LineFramer(this.#relay.options.maxMessageBytes, (frame) =>
      this.#onFrame(frame),
    );
    io.input.on('data', (chunk: Buffer) => {
      this.#lastTraffic = performance.now();
      this.#relay.batch(() => framer.push(chunk));
    });
    io.input.on('end', () => framer.end());
    io.input.on('error', () => undefined);
  }

  /**
   * Forgets the server: the client's late answers to its requests are dropped, and mcp-guard's
   * own requests to it fail.
   */
  detach(reason: string): void {
    this.#sink = null;
    this.#input = null;
    this.#held = false;
    this.#requests.orphanAll();
    this.#own.rejectAll(reason);
  }

  /** Writes one serialised line (with its newline) to the server. */
  writeText(line: string): void {
    this.#sink?.writeText(line);
  }

  /** Sends the server a notification of mcp-guard's own (e.g. a cancellation, a replay). */
  notify(method: string, params?: Record<string, unknown>): void {
    const message =
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    this.#sink?.writeText(`${JSON.stringify(message)}\n`);
  }

  /** Writes a message to the server: the original bytes when unchanged, else re-serialised. */
  write(message: RpcMessage, bytes: Buffer | null, source?: Readable): void {
    this.#sink?.writeMessage(message.body, bytes, source);
  }

  /** mcp-guard's own request with this id waits for the server's answer. */
  ownsId(id: RequestId): boolean {
    return this.#own.has(id);
  }

  /** Sends a request of mcp-guard's own; its id never reaches the client. */
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const sink = this.#sink;
    if (sink === null) return Promise.reject(new Error('no server attached'));
    return this.#own.send((line) => sink.writeText(line), method, params, timeoutMs);
  }

  /** A client's response to a server→client request: forwarded only if that request is pending. */
  forwardClientResponse(
    message: Extract<RpcMessage, { kind: 'response' | 'error' }>,
    bytes: Buffer | null,
  ): void {
    const relay = this.#relay;
    const match = this.#requests.answer(message.id);
    if (match !== 'pending') {
      const reason =
        match === 'orphan'
          ? 'response to a request of a server process that has since been restarted'
          : 'response to an unknown id';
      relay.records.invalid('client-to-server', reason, bytes?.length ?? 0, message.id);
      return;
    }
    this.write(message, bytes, relay.options.client.input);
  }

  #onFrame(frame: Frame): void {
    dispatchFrame(this.#relay, frame, DIRECTION, this.#handlers);
  }

  readonly #handlers: MessageHandlers = {
    invalid: (parsed) => this.#onInvalid(parsed),
    request: (message, bytes) => this.#onRequest(message, bytes),
    notification: (message, bytes) => this.#onNotification(message, bytes),
    response: (message, bytes) => this.#onResponse(message, bytes),
  };

  /**
   * A line that is no valid message is never forwarded. When it carries the id of a request in
   * flight (the client's, or mcp-guard's own), that request is still answered: with an error.
   */
  #onInvalid(parsed: Extract<ParseResult, { ok: false }>): void {
    const relay = this.#relay;
    if (parsed.id === null) return;
    if (this.#own.fail(parsed.id, `the server's response was refused: ${parsed.reason}`)) return;
    if (!this.#client.hasPending(parsed.id)) return;
    this.#answerClient(parsed.id, {
      code:
        parsed.code === ErrorCode.MessageTooLarge
          ? ErrorCode.MessageTooLarge
          : ErrorCode.InternalError,
      message: `mcp-guard: the server's response was refused: ${parsed.reason}`,
      data: { rule: 'framing', reason: parsed.reason, server: relay.options.server },
    });
  }

  #onResponse(
    message: Extract<RpcMessage, { kind: 'response' | 'error' }>,
    bytes: Buffer | null,
  ): void {
    const relay = this.#relay;
    if (this.#own.settle(message)) return;
    const entry = this.#client.takePending(message.id);
    if (entry === undefined) {
      relay.records.invalid(DIRECTION, 'response to an unknown id', bytes?.length ?? 0, message.id);
      return;
    }
    if (message.kind === 'response') {
      relay.observeClientList(entry.method, entry.params, message.result);
    }
    relay.onAnswered(entry.method, message);
    // A task's result is judged as the tool call's it answers (task-results.ts).
    const { verdict, method } = inspectAnswer(relay, relay.tasks, entry, message, bytes);
    if (verdict.action === 'deny') {
      // The client's request is still answered: with the refusal instead of the server's reply.
      relay.records.deny(DIRECTION, verdict, message);
      relay.records.response(entry, { isError: true, rule: verdict.rule });
      relay.clientSink.writeText(
        refusalLine(entry.id, method, relay.options.server, verdict, entry.params),
        this.#input ?? undefined,
      );
      return;
    }
    const out = verdict.action === 'rewrite' ? verdict.message : message;
    relay.records.response(entry, {
      isError: isErrorReply(out),
      body: relay.options.audit.bodies ? out.body : undefined,
    });
    this.#writeClient(out, verdict.action === 'rewrite' ? null : bytes);
  }

  #onRequest(message: Extract<RpcMessage, { kind: 'request' }>, bytes: Buffer | null): void {
    const relay = this.#relay;
    const verdict = relay.inspect(message, DIRECTION);
    if (verdict.action === 'answer') {
      relay.records.answered(DIRECTION, verdict.rule, message);
      // In the session's era: the server's request carries no `_meta` to tell it.
      this.#sink?.writeText(resultLine(message.id, resultInEra(relay.memory.era, verdict.result)));
      return;
    }
    const refusal =
      verdict.action === 'deny'
        ? verdict
        : checkClientCapability(message.method, this.#client.capabilities());
    if (refusal !== null) {
      relay.records.deny(DIRECTION, refusal, message);
      const code = refusal.code ?? ErrorCode.PolicyDenied;
      const text = code === ErrorCode.MethodNotFound ? 'Method not found' : 'Blocked by mcp-guard';
      this.#answerServer(message.id, code, `${text}: ${refusal.reason}`);
      return;
    }
    // Only what would reach the client: mcp-guard answers the rest itself, whatever the id.
    // A server request reusing a client request's id is one message that is two things to a
    // client that matches answers by id before it looks at `method` (Cline's does); only requests
    // for a capability the client declared (it handles those as requests) may share an id.
    const collides =
      this.#client.hasPending(message.id) &&
      !declaresCapabilityFor(message.method, this.#client.capabilities());
    const admission = this.#requests.admit(message.id, collides);
    if (!admission.ok) {
      const { reason } = admission;
      if (admission.rule === 'limit') {
        relay.records.deny(DIRECTION, { rule: 'limits.serverRequests', reason }, message);
        this.#answerServer(message.id, ErrorCode.RateLimited, `Blocked by mcp-guard: ${reason}`);
      } else {
        relay.records.invalid(DIRECTION, reason, bytes?.length ?? 0, message.id);
        this.#answerServer(message.id, ErrorCode.InvalidRequest, `Invalid request: ${reason}`);
      }
      return;
    }
    this.#requests.add({
      id: message.id,
      method: message.method,
      params: message.params,
      startedAt: performance.now(),
    });
    const out = verdict.action === 'rewrite' ? verdict.message : message;
    this.#writeClient(out, verdict.action === 'rewrite' ? null : bytes);
  }

  #onNotification(
    message: Extract<RpcMessage, { kind: 'notification' }>,
    bytes: Buffer | null,
  ): void {
    const relay = this.#relay;
    relay.observeServerNotification(message.method);
    const verdict = inspectNotice(relay, message);
    if (verdict.action === 'deny') {
      relay.records.deny(DIRECTION, verdict, message);
      return;
    }
    this.#writeClient(
      verdict.action === 'rewrite' ? verdict.message : message,
      verdict.action === 'rewrite' ? null : bytes,
    );
  }

  #answerClient(
    id: RequestId,
    error: { code: number; message: string; data: Record<string, unknown> },
  ): void {
    const relay = this.#relay;
    const entry = this.#client.takePending(id);
    if (entry === undefined) return;
    relay.records.response(entry, { isError: true, code: error.code });
    relay.replyError(id, error, this.#input ?? undefined);
  }

  /** Answers a server request with an error of mcp-guard's own (it never reaches the client). */
  #answerServer(id: RequestId, code: number, message: string): void {
    this.#sink?.writeText(errorLine(id, { code, message }));
  }

  #writeClient(message: RpcMessage, bytes: Buffer | null): void {
    this.#relay.clientSink.writeMessage(message.body, bytes, this.#input ?? undefined);
  }
}
