/** JSON-RPC's own codes and mcp-guard's (SPEC section 6), in one place. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** the MCP SDK's request timeout: used when limits.callTimeout expires */
  RequestTimeout: -32001,
  /** denied by policy */
  PolicyDenied: -32050,
  /** rate limited (data.retryAfterMs) */
  RateLimited: -32051,
  /** server unavailable: starting, restarting, failed (data.state) */
  ServerUnavailable: -32052,
  /** message too large */
  MessageTooLarge: -32053,
  /** the server stopped while this request was in flight */
  ServerStopped: -32054,
} as const;

/** The `data` mcp-guard attaches to its own errors. */
export interface GuardErrorData {
  rule: string;
  reason: string;
  server: string;
  [extra: string]: unknown;
}
