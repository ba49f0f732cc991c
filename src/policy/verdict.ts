/**
 * What a policy check decides about one message: values, not exceptions, so the relay alone
 * turns a refusal into the reply SPEC section 6 describes.
 */
import type { RpcMessage } from '../protocol/jsonrpc.js';

export type Direction = 'client-to-server' | 'server-to-client';

export type Verdict =
  | { action: 'pass' }
  /** Refuse the message; a request is answered with a refusal, anything else is dropped. */
  | { action: 'deny'; rule: string; reason: string; code?: number; data?: Record<string, unknown> }
  /** Forward this message instead (e.g. a filtered list, a redacted result). */
  | { action: 'rewrite'; message: RpcMessage }
  /** mcp-guard answers this request itself with `result`; it goes no further. */
  | { action: 'answer'; rule: string; result: unknown };

export const PASS: Verdict = Object.freeze({ action: 'pass' });
