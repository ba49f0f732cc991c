/**
 * `output.maxResultBytes` counts the whole message as it reaches the client (docs/policy.md): a
 * real server's answer whose line is exactly the limit goes through as it came; one byte more is
 * cut to fit (a result) or refused (an error, a result whose _meta is the bulk), read byte for
 * byte on mcp-guard's stdout.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  callTool,
  readAudit,
  startGuard,
  tempDir,
  writeManifest,
} from '../helpers/guard-process.js';
import { FIXTURES } from '../helpers/paths.js';

const LIMIT = 1000;

function guarded(t: TestContext) {
  const dir = tempDir(t);
  const manifest = writeManifest(dir, {
    command: process.execPath,
    args: [join(FIXTURES, 'policy-server.mjs')],
    output: { maxResultBytes: LIMIT },
  });
  const guard = startGuard(['run', 'server', '-c', manifest], { t, stateDir: dir });
  return { guard, audit: () => readAudit(join(dir, 'audit.jsonl')) };
}

/** The bytes of a line as the fixture writes it (JSON.stringify, no spaces). */
const lineBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

test('a result line of exactly maxResultBytes passes untouched; one byte more is cut to fit', async (t) => {
  const { guard } = guarded(t);
  try {
    await guard.initialize();
    const envelope = lineBytes({
      jsonrpc: '2.0',
      id: 10_001,
      result: { content: [{ type: 'text', text: '' }] },
    });
    guard.send(callTool(10_001, 'big', { bytes: LIMIT - envelope }));
    const exact = await guard.nextRawLine();
    assert.equal(exact.length, LIMIT);
    assert.deepEqual(JSON.parse(exact.toString()), {
      jsonrpc: '2.0',
      id: 10_001,
      result: { content: [{ type: 'text', text: 'x'.repeat(LIMIT - envelope) }] },
    });

    guard.send(callTool(10_002, 'big', { bytes: LIMIT - envelope + 1 }));
    const cut = await guard.nextRawLine();
    assert.ok(cut.length <= LIMIT, `${cut.length} bytes`);
    const content = (JSON.parse(cut.toString()) as { result: { content: { text: string }[] } })
      .result.content;
    assert.match(content[0]!.text, /^x+$/);
    assert.equal(
      content[1]!.text,
      `[mcp-guard cut this result to output.maxResultBytes (${LIMIT} bytes): it was ${LIMIT + 1} bytes; item 1 (text) was cut after ${content[0]!.text.length} of its ${LIMIT - envelope + 1} bytes]`,
    );
  } finally {
    await guard.close();
  }
});

test('an error line of exactly maxResultBytes passes; one byte more (or 3 MB) is refused; so is a result that is mostly _meta', async (t) => {
  const { guard, audit } = guarded(t);
  try {
    await guard.initialize();
    const envelope = lineBytes({
      jsonrpc: '2.0',
      id: 10_001,
      error: { code: -32000, message: '' },
    });
    guard.send(callTool(10_001, 'big-error', { bytes: LIMIT - envelope }));
    const exact = await guard.nextRawLine();
    assert.equal(exact.length, LIMIT);
    assert.equal((JSON.parse(exact.toString()) as { error: { code: number } }).error.code, -32000);

    const refusal = (id: number, size: number) => ({
      jsonrpc: '2.0',
      id,
      result: {
        content: [
          {
            type: 'text',
            text: `Blocked by mcp-guard: output.maxResultBytes: the server's error is ${size} bytes, over output.maxResultBytes (${LIMIT})`,
          },
        ],
        isError: true,
      },
    });
    guard.send(callTool(10_002, 'big-error', { bytes: LIMIT - envelope + 1 }));
    assert.deepEqual(await guard.nextLine(), refusal(10_002, LIMIT + 1));
    guard.send(callTool(10_003, 'big-error', { bytes: 3_000_000 }));
    assert.deepEqual(await guard.nextLine(), refusal(10_003, 3_000_000 + envelope));

    guard.send(callTool(10_004, 'big-meta', { bytes: 600_000 }));
    const meta = await guard.nextLine();
    assert.equal((meta.result as { isError: boolean }).isError, true);
    assert.match(
      JSON.stringify(meta),
      /Blocked by mcp-guard: output.maxResultBytes: the server's result is \d+ bytes/,
    );
    const denials = audit().filter(
      (r) => r.rule === 'output.maxResultBytes' && r.event === 'policy.deny',
    );
    assert.deepEqual(
      denials.map((r) => [r.id, r.direction]),
      [10_002, 10_003, 10_004].map((id) => [id, 'server-to-client']),
    );
  } finally {
    await guard.close();
  }
});
