import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSanitizeCheck } from '../../../src/policy/output/sanitize.js';
import { PASS } from '../../../src/policy/verdict.js';
import type { RpcMessage } from '../../../src/protocol/jsonrpc.js';
import {
  callTool,
  message,
  notification,
  request,
  response,
  rewritten,
  toClient,
  toServer,
} from '../../helpers/policy.js';

const check = createSanitizeCheck({ stripControl: true, redact: ['aws'] })!;
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const dirty = `\u001b[31m${KEY}\u202e\u200b`;
const clean = '[REDACTED:aws]';

/** [what, message from the server, the request it answers, expected body part after cleaning] */
const cases: [
  string,
  RpcMessage,
  string | undefined,
  (body: Record<string, unknown>) => unknown,
  unknown,
][] = [
  [
    'tool result text',
    response({ content: [{ type: 'text', text: dirty }] }),
    'tools/call',
    (b) => b.result,
    { content: [{ type: 'text', text: clean }] },
  ],
  [
    'an embedded resource in a tool result',
    response({ content: [{ type: 'resource', resource: { uri: 'file:///a', text: dirty } }] }),
    'tools/call',
    (b) => b.result,
    { content: [{ type: 'resource', resource: { uri: 'file:///a', text: clean } }] },
  ],
  [
    'every string of structuredContent, at any depth',
    response({ content: [], structuredContent: { a: [dirty, { name: dirty }], n: 1 } }),
    'tools/call',
    (b) => b.result,
    { content: [], structuredContent: { a: [clean, { name: clean }], n: 1 } },
  ],
  [
    'resource text',
    response({ contents: [{ uri: 'file:///a', text: dirty }] }),
    'resources/read',
    (b) => b.result,
    { contents: [{ uri: 'file:///a', text: clean }] },
  ],
  [
    'prompt messages and description',
    response({
      description: dirty,
      messages: [{ role: 'user', content: { type: 'text', text: dirty } }],
    }),
    'prompts/get',
    (b) => b.result,
    { description: clean, messages: [{ role: 'user', content: { type: 'text', text: clean } }] },
  ],
  [
    'tool descriptions and titles, in the schema too',
    response({
      tools: [
        {
          name: 'x',
          title: dirty,
          description: dirty,
          inputSchema: {
            type: 'object',
            properties: { name: { type: 'string', description: dirty } },
          },
        },
      ],
    }),
    'tools/list',
    (b) => b.result,
    {
      tools: [
        {
          name: 'x',
          title: clean,
          description: clean,
          inputSchema: {
            type: 'object',
            properties: { name: { type: 'string', description: clean } },
          },
        },
      ],
    },
  ],
  [
    'resource and prompt descriptions',
    response({ resources: [{ uri: 'file:///a', name: 'a', description: dirty }] }),
    'resources/list',
    (b) => b.result,
    { resources: [{ uri: 'file:///a', name: 'a', description: clean }] },
  ],
  [
    "the server's instructions",
    response({ protocolVersion: 'v', instructions: dirty }),
    'initialize',
    (b) => b.result,
    { protocolVersion: 'v', instructions: clean },
  ],
  [
    'an error message',
    message({ jsonrpc: '2.0', id: 1, error: { code: -1, message: dirty } }),
    'tools/call',
    (b) => b.error,
    { code: -1, message: clean },
  ],
  [
    'the text of a sampling request',
    request('sampling/createMessage', {
      systemPrompt: dirty,
      messages: [{ role: 'user', content: { type: 'text', text: dirty } }],
    }),
    undefined,
    (b) => b.params,
    { systemPrompt: clean, messages: [{ role: 'user', content: { type: 'text', text: clean } }] },
  ],
  [
    'a log message, whatever its shape',
    notification('notifications/message', { level: 'info', data: { line: dirty } }),
    undefined,
    (b) => b.params,
    { level: 'info', data: { line: clean } },
  ],
  [
    'a progress message',
    notification('notifications/progress', { progressToken: 't', progress: 1, message: dirty }),
    undefined,
    (b) => b.params,
    { progressToken: 't', progress: 1, message: clean },
  ],
];

for (const [what, msg, method, part, expected] of cases) {
  void test(`sanitize: ${what}`, () => {
    assert.deepEqual(part(rewritten(check.check(msg, toClient(method)))), expected);
  });
}

const untouched: [string, RpcMessage, string | undefined][] = [
  [
    'cursors and tokens a client hands back without showing them',
    response({ tools: [], nextCursor: dirty }),
    'tools/list',
  ],
  [
    'base64 payloads whose bytes hold no secret (they are binary: never stripped)',
    response({ contents: [{ uri: 'file:///a', mimeType: 'x', blob: 'G1szMW0K\u0000' }] }),
    'resources/read',
  ],
  [
    'image data',
    response({ content: [{ type: 'image', data: KEY, mimeType: 'image/png' }] }),
    'tools/call',
  ],
  [
    'clean text',
    response({ content: [{ type: 'text', text: 'all fine\tand\nclean' }] }),
    'tools/call',
  ],
];
for (const [what, msg, method] of untouched) {
  void test(`sanitize leaves alone: ${what}`, () => {
    assert.equal(check.check(msg, toClient(method)), PASS);
  });
}

void test('only what the server sends is cleaned', () => {
  assert.equal(check.check(callTool('x', { text: dirty }), toServer()), PASS);
});

void test('stripControl alone, redact alone, or neither', () => {
  const text = response({ content: [{ type: 'text', text: dirty }] });
  const part = (c: ReturnType<typeof createSanitizeCheck>) =>
    (rewritten(c!.check(text, toClient('tools/call'))).result as { content: { text: string }[] })
      .content[0]!.text;
  assert.equal(part(createSanitizeCheck({ stripControl: true, redact: [] })), KEY);
  assert.equal(
    part(createSanitizeCheck({ stripControl: false, redact: ['aws'] })),
    `\u001b[31m${clean}\u202e\u200b`,
  );
  assert.equal(createSanitizeCheck({ stripControl: false, redact: [] }), undefined);
});
