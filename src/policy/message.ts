/** Small helpers checks share: reading a request's subject, and building a rewritten message. */
import { isObject, type RpcMessage } from '../protocol/jsonrpc.js';

type Response = Extract<RpcMessage, { kind: 'response' }>;
type Request = Extract<RpcMessage, { kind: 'request' }>;

/** A string member of a request's params (`name` of a tools/call, `uri` of a resources/read). */
export function paramString(params: unknown, key: string): string | undefined {
  if (!isObject(params)) return undefined;
  const value = params[key];
  return typeof value === 'string' ? value : undefined;
}

/** The same response with another result; the id and everything else are kept. */
export function withResult(message: Response, result: unknown): Response {
  return { ...message, result, body: { ...message.body, result } };
}

/** The same request with other params. */
export function withParams(message: Request, params: Record<string, unknown>): Request {
  return { ...message, params, body: { ...message.body, params } };
}

export { setOwn } from '../own-key.js';
