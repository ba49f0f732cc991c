/**
 * What a policy check decides about one message: values, not exceptions, so the relay alone
 * turns a refusal into the reply SPEC section 6 describes.
 */
import type { RpcMessage } from '../protocol/jsonrpc.js';

export type Direction = 'client-to-server' | 'server-to-client';

/** Something a rewrite kept from its receiver (a tool hidden from a list, a result cut short). */
export interface Withheld {
  rule: string;
  reason: string;
  /**
   * Recorded the first time only (the pipeline keeps which): what every request of a session
   * withholds alike, like a stateless-era capability each request declares again.
   */
  once?: boolean;
}

export type Verdict =
  | { action: 'pass' }
  /**
   * Refuse the message; a request is answered with a refusal, anything else is dropped. With
   * `invalid`, the request itself is malformed: it gets a JSON-RPC error (-32602) whatever its
   * method, never the `tools/call` result a policy refusal is.
   */
  | {
      action: 'deny';
      rule: string;
      reason: string;
      code?: number;
      data?: Record<string, unknown>;
      invalid?: boolean;
    }
  /**
   * Forward this message instead (e.g. a filtered list, a redacted result). A rewrite that
   * withholds something says what: it is audited like a refusal, and the `observe` switch skips
   * it (recording what it would have withheld) instead of applying it.
   */
  | { action: 'rewrite'; message: RpcMessage; withheld?: readonly Withheld[] }
  /** mcp-guard answers this request itself with `result`; it goes no further. */
  | { action: 'answer'; rule: string; result: unknown };

export const PASS: Verdict = Object.freeze({ action: 'pass' });
