import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

test("mcp-guard's own codes are SPEC 6's table, outside the range JSON-RPC and MCP reserve", () => {
  const own = {
    PolicyDenied: ErrorCode.PolicyDenied,
    RateLimited: ErrorCode.RateLimited,
    ServerUnavailable: ErrorCode.ServerUnavailable,
    MessageTooLarge: ErrorCode.MessageTooLarge,
    ServerStopped: ErrorCode.ServerStopped,
    CallTimeout: ErrorCode.CallTimeout,
  };
  assert.deepEqual(own, {
    PolicyDenied: -31050,
    RateLimited: -31051,
    ServerUnavailable: -31052,
    MessageTooLarge: -31053,
    ServerStopped: -31054,
    CallTimeout: -31055,
  });
  for (const code of Object.values(own)) {
    assert.ok(code > -32000 || code < -32768, `${code} is inside -32768 … -32000`);
  }
});
