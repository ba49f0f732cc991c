/** `mcp-guard logs --denied`: every refusal, observed ones marked, then a summary by rule. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openAuditLog } from '../../../src/audit/audit-log.js';
import { pinDrift, policyDeny, rpcRequest } from '../../../src/audit/event-constructors.js';
import { CLI } from '../../helpers/paths.js';
import { runNode } from './processes.js';

void test('logs --denied lists enforced and observed refusals, then sums them up by rule on stderr', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-denied-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'audit.jsonl');
  const log = await openAuditLog({ file, bodies: false });
  type Deny = Parameters<typeof policyDeny>[0];
  const deny = (fields: Omit<Deny, 'direction'> & Partial<Pick<Deny, 'direction'>>) =>
    log.record('files', policyDeny({ direction: 'client-to-server', ...fields }));
  log.record('files', rpcRequest({ method: 'tools/call', id: 1, tool: 'read_file' }));
  deny({
    rule: 'tools.deny',
    reason: 'tool "move_file" is denied by tools.deny',
    method: 'tools/call',
    id: 2,
    tool: 'move_file',
  });
  deny({
    rule: 'tools.deny',
    reason: 'hidden from tools/list: "move_file"',
    method: 'tools/list',
    id: 3,
    direction: 'server-to-client',
  });
  deny({
    rule: 'inputSchema',
    reason: 'the arguments do not match',
    method: 'tools/call',
    id: 4,
    tool: 'search',
    enforced: false,
  });
  log.record(
    'files',
    pinDrift({ tool: 'search', change: 'changed', mode: 'warn', diff: ['description: "a" → "b"'] }),
  );
  log.close();

  const result = await runNode([CLI, 'logs', '--file', file, '--denied'], {
    ...process.env,
    NO_COLOR: '1',
  });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3, result.stdout);
  assert.match(
    lines[0]!,
    /policy\.deny +tools\.deny: tool "move_file" is denied by tools\.deny method=tools\/call id=2 tool=move_file client-to-server$/,
  );
  assert.match(lines[2]!, /inputSchema: the arguments do not match .* \(observed, not enforced\)$/);
  assert.equal(
    result.stderr,
    '\n3 refusals, 1 of them observed (not enforced):\n' +
      '  tools.deny   2  tool move_file ×1, tools/list ×1\n' +
      '  inputSchema  1  tool search ×1\n',
  );

  const json = await runNode([CLI, 'logs', '--file', file, '--denied', '--json'], process.env);
  assert.equal(json.stdout.trimEnd().split('\n').length, 3);
  assert.equal(json.stderr, '', 'no summary with --json');
  const all = await runNode([CLI, 'logs', '--file', file], { ...process.env, NO_COLOR: '1' });
  assert.match(all.stdout, /pin\.drift +search changed mode=warn \(description: "a" → "b"\)/);
});
