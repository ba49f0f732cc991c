/**
 * A server that floods its client with requests the client never answers (docs/relay.md
 * "Bounds"): 1,000 reach the client, every later one is answered to the server by mcp-guard, and
 * the session goes on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { readAudit, startGuard, tempDir, writeManifest } from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';
import type { JsonObject } from '../helpers/raw-client.js';

const REQUESTS = 20_000;
const BOUND = 1000;

test(`${REQUESTS} server→client requests never answered: ${BOUND} reach the client, the rest are answered to the server`, async (t) => {
  const dir = tempDir(t);
  const recvLog = join(dir, 'recv.log');
  const manifest = writeManifest(dir, {
    command: process.execPath,
    args: [join(FIXTURES, 'flood.mjs')],
    env: { RECV_LOG: recvLog },
  });
  const guard = startGuard(['run', 'server', '-c', manifest], { t, stateDir: dir });
  try {
    await guard.initialize({ sampling: {} });
    const reply = await guard.request(
      'tools/call',
      { name: 'flood', arguments: { requests: REQUESTS } },
      60_000,
    );
    assert.equal(
      (reply.result as { content: { text: string }[] }).content[0]!.text,
      `flooded ${REQUESTS}`,
    );
    const echoed = await guard.request('tools/call', { name: 'echo', arguments: { text: 'on' } });
    assert.equal((echoed.result as { content: { text: string }[] }).content[0]!.text, 'on');
    const asked = guard.skipped.filter((m) => m.method === 'sampling/createMessage');
    assert.equal(asked.length, BOUND);
    assert.deepEqual(
      asked.map((m) => m.id),
      Array.from({ length: BOUND }, (_, i) => `f${i + 1}`),
    );
    const answered = readFileSync(recvLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as JsonObject)
      .filter((m) => typeof m.id === 'string' && m.id.startsWith('f'));
    assert.equal(answered.length, REQUESTS - BOUND);
    assert.ok(
      answered.every((m) => (m.error as { code: number }).code === ErrorCode.RateLimited),
      JSON.stringify(answered[0]),
    );
    assert.equal(answered[0]!.id, `f${BOUND + 1}`);
    const denials = readAudit(join(dir, 'audit.jsonl')).filter(
      (r) => r.event === 'policy.deny' && r.rule === 'limits.serverRequests',
    );
    assert.equal(denials.length, REQUESTS - BOUND);
  } finally {
    await guard.close();
  }
});
