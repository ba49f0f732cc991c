import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createResultSizeCheck, cutUtf8 } from '../../../src/policy/output/result-size.js';
import { PASS } from '../../../src/policy/verdict.js';
import { catalogWith, outcome, response, rewritten, toClient } from '../../helpers/policy.js';

const text = (t: string) => ({ type: 'text', text: t });
const NOTE = /^\[mcp-guard cut this result to output\.maxResultBytes/;

void test('a result exactly at the limit passes; one byte more is cut, with a note', () => {
  const check = createResultSizeCheck(10);
  assert.equal(
    check.check(response({ content: [text('0123456789')] }), toClient('tools/call')),
    PASS,
  );
  const verdict = check.check(response({ content: [text('0123456789A')] }), toClient('tools/call'));
  const content = (rewritten(verdict).result as { content: { text: string }[] }).content;
  assert.equal(content[0]!.text, '0123456789');
  assert.equal(
    content[1]!.text,
    '[mcp-guard cut this result to output.maxResultBytes (10 bytes): it was 11 bytes; item 1 (text) was cut after 10 of its 11 bytes]',
  );
  assert.ok(verdict.action === 'rewrite');
  assert.deepEqual(verdict.withheld, [
    {
      rule: 'output.maxResultBytes',
      reason: 'result cut from 11 bytes to 10 (item 1 (text) was cut after 10 of its 11 bytes)',
    },
  ]);
});

void test('items are kept while they fit; the first that does not is cut; the rest are left out', () => {
  const check = createResultSizeCheck(12);
  const result = {
    content: [
      text('aaaaa'),
      text('bbbbbbbbbb'),
      { type: 'image', data: 'QUJD', mimeType: 'image/png' },
      text('c'),
    ],
    isError: false,
  };
  const body = rewritten(check.check(response(result), toClient('tools/call')));
  const content = (body.result as { content: Record<string, unknown>[] }).content;
  assert.deepEqual(content.slice(0, 2), [text('aaaaa'), text('bbbbbbb')]);
  assert.match(
    String(content[2]!.text),
    /item 2 \(text\) was cut after 7 of its 10 bytes; 2 items \(image, text\) were left out\]$/,
  );
  assert.equal(content.length, 3);
  assert.equal((body.result as { isError: boolean }).isError, false, 'other members stay');
});

void test('the size counts UTF-8 bytes, and a cut never splits a character', () => {
  const check = createResultSizeCheck(7);
  const body = rewritten(
    check.check(response({ content: [text('ab€€')] }), toClient('tools/call')),
  );
  const first = (body.result as { content: { text: string }[] }).content[0]!.text;
  assert.equal(first, 'ab€', '"ab€€" is 8 bytes; the second € would need bytes 6 to 8');
  assert.equal(cutUtf8('😀😀', 5), '😀');
  assert.equal(cutUtf8('abc', 3), 'abc');
  assert.equal(cutUtf8('é', 1), '');
});

void test('structuredContent counts too; when it cannot fit it goes, and a tool declaring an outputSchema gets isError', () => {
  const check = createResultSizeCheck(20);
  const result = { content: [text('0123456789')], structuredContent: { value: '0123456789' } };
  const withSchema = catalogWith([
    { name: 'w', outputSchema: { type: 'object' } },
    { name: 'plain' },
  ]);
  const cut = (name: string) =>
    rewritten(check.check(response(result), toClient('tools/call', { name }, withSchema)))
      .result as Record<string, unknown>;
  const declared = cut('w');
  assert.equal(declared.structuredContent, undefined);
  assert.equal(declared.isError, true);
  assert.match(JSON.stringify(declared.content), /structuredContent was left out/);
  assert.equal(cut('plain').isError, undefined);
});

void test('resources/read contents are cut the same way; the note is one more content item', () => {
  const check = createResultSizeCheck(4);
  const body = rewritten(
    check.check(
      response({ contents: [{ uri: 'file:///a', mimeType: 'text/plain', text: 'abcdefgh' }] }),
      toClient('resources/read', { uri: 'file:///a' }),
    ),
  );
  const contents = (body.result as { contents: Record<string, unknown>[] }).contents;
  assert.deepEqual(contents[0], { uri: 'file:///a', mimeType: 'text/plain', text: 'abcd' });
  assert.equal(contents[1]!.uri, 'file:///a');
  assert.match(String(contents[1]!.text), NOTE);
});

void test('other results and requests are not measured', () => {
  const check = createResultSizeCheck(1);
  assert.equal(
    outcome(check.check(response({ tools: [{ name: 'long-name' }] }), toClient('tools/list'))),
    'pass',
  );
  assert.equal(outcome(check.check(response({ messages: [] }), toClient('prompts/get'))), 'pass');
});
