import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDenialSummary } from '../../../src/audit/format.js';

const deny = (rule: string, extra: Record<string, unknown> = {}) => ({
  event: 'policy.deny',
  rule,
  direction: 'client-to-server',
  ...extra,
});

void test('the summary counts refusals by rule, most first, with the most refused subjects', () => {
  const records = [
    deny('tools.deny', { tool: 'move_file', method: 'tools/call' }),
    deny('tools.deny', { tool: 'move_file', method: 'tools/call' }),
    deny('tools.deny', { method: 'tools/list' }),
    deny('inputSchema', { tool: 'echo', enforced: false }),
    deny('limits.callsPerMinute', { tool: 'a' }),
    deny('limits.callsPerMinute', { tool: 'b' }),
    deny('limits.callsPerMinute', { tool: 'c' }),
    deny('limits.callsPerMinute', { tool: 'd' }),
    { event: 'rpc.request', method: 'ping' },
  ];
  assert.deepEqual(formatDenialSummary(records), [
    '8 refusals, 1 of them observed (not enforced):',
    '  limits.callsPerMinute  4  tool a ×1, tool b ×1, tool c ×1, 1 more',
    '  tools.deny             3  tool move_file ×2, tools/list ×1',
    '  inputSchema            1  tool echo ×1',
  ]);
});

void test('no refusals, no summary; one refusal, singular', () => {
  assert.deepEqual(formatDenialSummary([{ event: 'rpc.request' }]), []);
  assert.deepEqual(formatDenialSummary([deny('sampling', { method: 'sampling/createMessage' })]), [
    '1 refusal:',
    '  sampling  1  sampling/createMessage ×1',
  ]);
});

void test('what a record says is made terminal-safe in the summary', () => {
  const [, row] = formatDenialSummary([deny('tools.deny', { tool: 'x\u001b[2Jy' })]);
  assert.equal(row, '  tools.deny  1  tool x\\u001b[2Jy ×1');
});
