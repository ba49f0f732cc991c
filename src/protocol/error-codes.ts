/**
 * JSON-RPC's own codes and mcp-guard's (SPEC section 6), in one place. mcp-guard's sit outside
 * -32768 … -32000, which JSON-RPC reserves and MCP 2026-07-28 partly claims (-32020 … -32099).
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** denied by policy */
  PolicyDenied: -31050,
  /** rate limited (data.retryAfterMs) */
  RateLimited: -31051,
  /** server unavailable: starting, restarting, failed (data.state) */
  ServerUnavailable: -31052,
  /** message too large */
  MessageTooLarge: -31053,
  /** the server stopped while this request was in flight */
  ServerStopped: -31054,
  /** limits.callTimeout passed; the server was sent notifications/cancelled */
  CallTimeout: -31055,
} as const;

/** The `data` mcp-guard attaches to its own errors. */
export interface GuardErrorData {
  rule: string;
  reason: string;
  server: string;
  [extra: string]: unknown;
}
