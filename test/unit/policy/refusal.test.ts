import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusalLine } from '../../../src/policy/refusal.js';

const limited = {
  rule: 'limits.callsPerMinute',
  reason: 'the 3 calls per minute to this server are used up; retry after 20000 ms',
  code: -31051,
  data: { retryAfterMs: 20000 },
};

void test('a rate-limited tools/call: an isError result whose text and _meta carry retryAfterMs', () => {
  assert.deepEqual(JSON.parse(refusalLine(5, 'tools/call', 'files', limited)), {
    jsonrpc: '2.0',
    id: 5,
    result: {
      content: [
        {
          type: 'text',
          text: 'Blocked by mcp-guard: limits.callsPerMinute: the 3 calls per minute to this server are used up; retry after 20000 ms',
        },
      ],
      isError: true,
      _meta: {
        'mcp-guard/refusal': { rule: limited.rule, reason: limited.reason, retryAfterMs: 20000 },
      },
    },
  });
});

void test('any other rate-limited request: -31051 with data.retryAfterMs', () => {
  assert.deepEqual(JSON.parse(refusalLine('r', 'resources/read', 'files', limited)), {
    jsonrpc: '2.0',
    id: 'r',
    error: {
      code: -31051,
      message: `Blocked by mcp-guard: ${limited.reason}`,
      data: { rule: limited.rule, reason: limited.reason, server: 'files', retryAfterMs: 20000 },
    },
  });
});
