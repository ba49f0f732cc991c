/**
 * JSON-RPC 2.0 as MCP uses it: parse one framed line into a classified message, or into the
 * reason it is not one (with the error code and the id, where it can be known). This is the one
 * classification of every message in both directions: a message is a request, a notification or
 * a response (result or error), never two; anything else is malformed.
 */
import { isUtf8 } from 'node:buffer';
import { MAX_DEPTH, measure } from './depth.js';
import { ErrorCode } from './error-codes.js';
import { secondReading } from './one-reading.js';
import { sniffId } from './sniff-id.js';

export type RequestId = string | number;

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

type Params = Record<string, unknown> | unknown[] | undefined;

export type RpcMessage =
  | {
      kind: 'request';
      id: RequestId;
      method: string;
      params: Params;
      body: Record<string, unknown>;
    }
  | { kind: 'notification'; method: string; params: Params; body: Record<string, unknown> }
  | { kind: 'response'; id: RequestId; result: unknown; body: Record<string, unknown> }
  | { kind: 'error'; id: RequestId; error: JsonRpcError; body: Record<string, unknown> };

export type ParseResult =
  | { ok: true; message: RpcMessage }
  | {
      ok: false;
      code: number;
      id: RequestId | null;
      reason: string;
      /** The ids of the requests inside a refused batch. */
      batch?: RequestId[];
      /**
       * No reply is owed: it has no method but an id, result or error (a broken response), or it
       * is a notification.
       */
      response?: boolean;
    };

/** The key under which an id is tracked: 1 and "1" are different ids. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

function isId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Parses and classifies one line (without its newline). Never throws. */
export function parseLine(bytes: Buffer): ParseResult {
  if (!isUtf8(bytes)) {
    // The id may still be readable: invalid bytes decode to U+FFFD without moving anything else.
    return {
      ok: false,
      code: ErrorCode.ParseError,
      id: sniffId(bytes.toString('utf8')),
      reason: 'invalid UTF-8',
    };
  }
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.ParseError, id: sniffId(text), reason: 'invalid JSON' };
  }
  const parsed = classify(value);
  if (!parsed.ok) return parsed;
  const shape = measure(value);
  const reason = shape.tooDeep
    ? `nested deeper than ${MAX_DEPTH} levels of arrays and objects`
    : secondReading(text, value, shape);
  if (reason === undefined) return parsed;
  const message = parsed.message;
  return {
    ok: false,
    code: ErrorCode.InvalidRequest,
    id: message.kind === 'notification' ? null : message.id,
    reason,
    // Only a request is owed an answer.
    response: message.kind !== 'request',
  };
}

/** Classifies an already-parsed JSON value. */
export function classify(value: unknown): ParseResult {
  if (Array.isArray(value)) {
    const ids = value
      .map((item: unknown) => (isObject(item) && 'method' in item ? item.id : undefined))
      .filter(isId);
    return {
      ok: false,
      code: ErrorCode.InvalidRequest,
      id: null,
      reason: 'batches are not supported',
      batch: ids,
    };
  }
  if (!isObject(value)) {
    return { ok: false, code: ErrorCode.InvalidRequest, id: null, reason: 'not a JSON-RPC object' };
  }
  const id = isId(value.id) ? value.id : null;
  // No method but an id (or a result/error): a broken response. An error reply with its id
  // would be taken for the answer to the client's own request of that id.
  const response = !('method' in value) && ('result' in value || 'error' in value || 'id' in value);
  const invalid = (reason: string): ParseResult => ({
    ok: false,
    code: ErrorCode.InvalidRequest,
    id,
    reason,
    response,
  });
  if (value.jsonrpc !== '2.0') return invalid('jsonrpc must be "2.0"');
  const params = value.params;
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    return invalid('params must be an object or an array');
  }
  if ('method' in value) {
    // Strictly one thing: a peer that reads `result` before `method` (Cline's client does) would
    // take a request or notification carrying a result for the answer to its own request.
    if ('result' in value || 'error' in value) {
      return invalid('a message is a request, a notification or a response, never two');
    }
    if (typeof value.method !== 'string' || value.method === '') {
      return invalid('method must be a non-empty string');
    }
    if (!('id' in value)) {
      return {
        ok: true,
        message: {
          kind: 'notification',
          method: value.method,
          params: params as Params,
          body: value,
        },
      };
    }
    if (id === null) return invalid('id must be a string or a number');
    return {
      ok: true,
      message: { kind: 'request', id, method: value.method, params: params as Params, body: value },
    };
  }
  if (id === null) return invalid('a response needs a string or number id');
  const hasResult = 'result' in value;
  const hasError = 'error' in value;
  if (hasResult === hasError) return invalid('a response has exactly one of result and error');
  if (hasResult)
    return { ok: true, message: { kind: 'response', id, result: value.result, body: value } };
  const error = value.error;
  if (!isObject(error) || typeof error.code !== 'number' || typeof error.message !== 'string') {
    return invalid('error must have a numeric code and a message');
  }
  return {
    ok: true,
    message: { kind: 'error', id, error: error as unknown as JsonRpcError, body: value },
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Serialises an error response as one line. */
export function errorLine(id: RequestId | null, error: JsonRpcError): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, error })}\n`;
}

/** Serialises a result response as one line. */
export function resultLine(id: RequestId, result: unknown): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`;
}
