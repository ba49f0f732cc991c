import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createResultSizeCheck, cutUtf8 } from '../../../src/policy/output/result-size.js';
import { refusalLine } from '../../../src/policy/refusal.js';
import { PASS } from '../../../src/policy/verdict.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type { RpcMessage } from '../../../src/protocol/jsonrpc.js';
import {
  catalogWith,
  message,
  outcome,
  response,
  rewritten,
  toClient,
} from '../../helpers/policy.js';

const text = (t: string) => ({ type: 'text', text: t });
const NOTE = /^\[mcp-guard cut this result to output\.maxResultBytes/;

/** The size the relay writes for a message it re-serialises (newline excluded). */
const sizeOf = (value: RpcMessage | Record<string, unknown>) =>
  Buffer.byteLength(JSON.stringify('body' in value ? value.body : value));

/** The message as it came in one line of `line` (whitespace and escapes count, as written). */
const received = (msg: RpcMessage, line: string) => ({
  ...toClient('tools/call'),
  received: { message: msg, bytes: Buffer.byteLength(line) },
});

void test('the whole message counts: a result exactly at the limit passes; one byte more is cut to fit, with a note', () => {
  const msg = response({ content: [text('x'.repeat(5000))] });
  const size = sizeOf(msg);
  assert.equal(createResultSizeCheck(size).check(msg, toClient('tools/call')), PASS);
  const verdict = createResultSizeCheck(size - 1).check(msg, toClient('tools/call'));
  const body = rewritten(verdict);
  assert.ok(sizeOf(body) <= size - 1, `${sizeOf(body)} bytes, over ${size - 1}`);
  const content = (body.result as { content: { text: string }[] }).content;
  assert.match(content[0]!.text, /^x+$/);
  assert.equal(
    content[1]!.text,
    `[mcp-guard cut this result to output.maxResultBytes (${size - 1} bytes): it was ${size} bytes; item 1 (text) was cut after ${content[0]!.text.length} of its 5000 bytes]`,
  );
  assert.ok(verdict.action === 'rewrite');
  assert.deepEqual(verdict.withheld, [
    {
      rule: 'output.maxResultBytes',
      reason: `result cut from ${size} bytes to ${size - 1} (item 1 (text) was cut after ${content[0]!.text.length} of its 5000 bytes)`,
    },
  ]);
});

void test('members outside the items count (600 KB of _meta passed a 1,000-byte cap): refused when the items cannot make room', () => {
  const msg = response({ content: [text('ok')], _meta: { pad: 'p'.repeat(600_000) } });
  const verdict = createResultSizeCheck(1000).check(msg, toClient('tools/call'));
  assert.deepEqual(verdict, {
    action: 'deny',
    rule: 'output.maxResultBytes',
    reason: `the server's result is ${sizeOf(msg)} bytes, over output.maxResultBytes (1000)`,
    code: ErrorCode.MessageTooLarge,
  });
});

void test('an error answer counts too (a 3 MB error message passed): at the limit it passes, one byte over it is refused', () => {
  const msg = message({ jsonrpc: '2.0', id: 7, error: { code: -32000, message: 'e'.repeat(3e6) } });
  const size = sizeOf(msg);
  assert.equal(createResultSizeCheck(size).check(msg, toClient('tools/call')), PASS);
  const verdict = createResultSizeCheck(size - 1).check(msg, toClient('tools/call'));
  assert.equal(outcome(verdict), 'deny output.maxResultBytes');
  assert.ok(verdict.action === 'deny');
  assert.equal(
    verdict.reason,
    `the server's error is ${size} bytes, over output.maxResultBytes (${size - 1})`,
  );
  // The reply the client gets instead: for tools/call a result the model reads, else -31053.
  assert.equal(
    refusalLine(7, 'tools/call', 'srv', verdict),
    `${JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      result: {
        content: [
          {
            type: 'text',
            text: `Blocked by mcp-guard: output.maxResultBytes: the server's error is ${size} bytes, over output.maxResultBytes (${size - 1})`,
          },
        ],
        isError: true,
      },
    })}\n`,
  );
  assert.deepEqual(JSON.parse(refusalLine(7, 'prompts/get', 'srv', verdict)), {
    jsonrpc: '2.0',
    id: 7,
    error: {
      code: ErrorCode.MessageTooLarge,
      message: `Blocked by mcp-guard: the server's error is ${size} bytes, over output.maxResultBytes (${size - 1})`,
      data: {
        rule: 'output.maxResultBytes',
        reason: `the server's error is ${size} bytes, over output.maxResultBytes (${size - 1})`,
        server: 'srv',
      },
    },
  });
});

void test('every method is measured: a list at the limit passes, one byte over is refused (nothing to cut)', () => {
  const msg = response({ tools: [{ name: 'long-name', inputSchema: { type: 'object' } }] });
  const size = sizeOf(msg);
  assert.equal(createResultSizeCheck(size).check(msg, toClient('tools/list')), PASS);
  assert.equal(
    outcome(createResultSizeCheck(size - 1).check(msg, toClient('tools/list'))),
    'deny output.maxResultBytes',
  );
  assert.equal(
    outcome(createResultSizeCheck(size - 1).check(msg, toClient('prompts/get'))),
    'deny output.maxResultBytes',
  );
});

void test('a message that goes out unchanged is measured as its own line: padding and escapes count', () => {
  const msg = response({ content: [text('é')] });
  const line = `{"jsonrpc":"2.0",   "id":1,"result":{"content":[{"type":"text","text":"\\u00e9"}]}}`;
  const bytes = Buffer.byteLength(line);
  assert.ok(bytes > sizeOf(msg));
  assert.equal(createResultSizeCheck(bytes).check(msg, received(msg, line)), PASS);
  // One byte less: written afresh (no padding, no escapes) the same message fits, nothing is cut.
  const afresh = createResultSizeCheck(bytes - 1).check(msg, received(msg, line));
  assert.deepEqual(rewritten(afresh), msg.body);
  assert.ok(afresh.action === 'rewrite' && afresh.withheld === undefined);
  assert.equal(
    outcome(createResultSizeCheck(sizeOf(msg) - 1).check(msg, received(msg, line))),
    'deny output.maxResultBytes',
    'and under its re-serialised size, with no room for a note, it is refused',
  );
  // A message an earlier check rewrote is not the one received: it is measured re-serialised.
  const other = response({ content: [text('é')] });
  assert.equal(createResultSizeCheck(sizeOf(other)).check(other, received(msg, line)), PASS);
});

void test('items are kept while they fit; the first that does not is cut; the rest are left out', () => {
  const result = {
    content: [
      text('a'.repeat(500)),
      text('b'.repeat(1000)),
      { type: 'image', data: 'QUJD', mimeType: 'image/png' },
      text('c'),
    ],
    isError: false,
  };
  const max = sizeOf(response(result)) - 600;
  const body = rewritten(
    createResultSizeCheck(max).check(response(result), toClient('tools/call')),
  );
  assert.ok(sizeOf(body) <= max);
  const content = (body.result as { content: Record<string, unknown>[] }).content;
  assert.deepEqual(content[0], text('a'.repeat(500)));
  assert.match(String(content[1]!.text), /^b+$/);
  assert.match(
    String(content[2]!.text),
    /item 2 \(text\) was cut after \d+ of its 1000 bytes; 2 items \(image, text\) were left out\]$/,
  );
  assert.equal(content.length, 3);
  assert.equal((body.result as { isError: boolean }).isError, false, 'other members stay');
});

void test('escaped characters are counted as written: a cut of text full of newlines still fits', () => {
  const msg = response({ content: [text('\n'.repeat(3000))] });
  const body = rewritten(createResultSizeCheck(2000).check(msg, toClient('tools/call')));
  assert.ok(sizeOf(body) <= 2000, String(sizeOf(body)));
});

void test('a cut never splits a character', () => {
  const msg = response({ content: [text('€'.repeat(1000))] });
  const body = rewritten(createResultSizeCheck(1501).check(msg, toClient('tools/call')));
  const first = (body.result as { content: { text: string }[] }).content[0]!.text;
  assert.match(first, /^€+$/);
  assert.equal(cutUtf8('😀😀', 5), '😀');
  assert.equal(cutUtf8('abc', 3), 'abc');
  assert.equal(cutUtf8('é', 1), '');
});

void test('structuredContent counts too; when it cannot fit it goes, and a tool declaring an outputSchema gets isError', () => {
  const result = {
    content: [text('0'.repeat(300))],
    structuredContent: { value: '1'.repeat(300) },
  };
  const max = sizeOf(response(result)) - 100;
  const withSchema = catalogWith([
    { name: 'w', outputSchema: { type: 'object' } },
    { name: 'plain' },
  ]);
  const cut = (name: string) =>
    rewritten(
      createResultSizeCheck(max).check(
        response(result),
        toClient('tools/call', { name }, withSchema),
      ),
    ).result as Record<string, unknown>;
  const declared = cut('w');
  assert.equal(declared.structuredContent, undefined);
  assert.equal(declared.isError, true);
  assert.match(JSON.stringify(declared.content), /structuredContent was left out/);
  assert.equal(cut('plain').isError, undefined);
});

void test('resources/read contents are cut the same way; the note is one more content item', () => {
  const msg = response({
    contents: [{ uri: 'file:///a', mimeType: 'text/plain', text: 'a'.repeat(2000) }],
  });
  const body = rewritten(
    createResultSizeCheck(1000).check(msg, toClient('resources/read', { uri: 'file:///a' })),
  );
  assert.ok(sizeOf(body) <= 1000);
  const contents = (body.result as { contents: Record<string, unknown>[] }).contents;
  assert.equal(contents[0]!.uri, 'file:///a');
  assert.match(String(contents[0]!.text), /^a+$/);
  assert.equal(contents[1]!.uri, 'file:///a');
  assert.match(String(contents[1]!.text), NOTE);
});

void test('requests, notifications and answers to no client request are not measured here', () => {
  const check = createResultSizeCheck(1);
  const big = { content: [text('x'.repeat(100))] };
  assert.equal(check.check(response(big), toClient(undefined)), PASS);
  assert.equal(
    check.check(
      message({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'x' } }),
      toClient(undefined),
    ),
    PASS,
  );
  assert.equal(
    check.check(
      message({ jsonrpc: '2.0', id: 1, method: 'sampling/createMessage' }),
      toClient(undefined),
    ),
    PASS,
  );
});
