/**
 * What "output" means (docs/policy.md): every string of a server's message that can reach the
 * model is stripped and redacted — the places found unchecked first, then other spellings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSanitizeCheck } from '../../../src/policy/output/sanitize.js';
import type { RpcMessage } from '../../../src/protocol/jsonrpc.js';
import {
  message,
  notification,
  request,
  response,
  rewritten,
  toClient,
} from '../../helpers/policy.js';

const check = createSanitizeCheck({ stripControl: true, redact: ['aws', 'github'] })!;
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const GH = `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`;
const dirty = `\u001b[31m${KEY}\u202e\u200b`;
const AWS = '[REDACTED:aws]';

const cleaned = (msg: RpcMessage, method?: string): unknown => {
  const body = rewritten(check.check(msg, toClient(method)));
  return body.result ?? body.error ?? body.params;
};

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** [where, the server's message, the request it answers, what the client gets instead] */
const cases: [string, RpcMessage, string | undefined, unknown][] = [
  [
    'error.message and every string of error.data',
    message({ jsonrpc: '2.0', id: 1, error: { code: -1, message: dirty, data: { why: [dirty] } } }),
    'tools/call',
    { code: -1, message: AWS, data: { why: [AWS] } },
  ],
  [
    'structuredContent keys as well as values',
    response({ content: [], structuredContent: { [KEY]: 1, 'a\u202eb': KEY } }),
    'tools/call',
    { content: [], structuredContent: { [AWS]: 1, ab: AWS } },
  ],
  [
    'names and values inside schemas: property names, enum, default, titles',
    response({
      tools: [
        {
          name: `tool\u200b`,
          inputSchema: {
            type: 'object',
            properties: { [`p\u001b[1m`]: { enum: [KEY, 'ok'], default: dirty, title: dirty } },
          },
        },
      ],
    }),
    'tools/list',
    {
      tools: [
        {
          name: 'tool',
          inputSchema: {
            type: 'object',
            properties: { p: { enum: [AWS, 'ok'], default: AWS, title: AWS } },
          },
        },
      ],
    },
  ],
  [
    'resource_link names, descriptions and URIs',
    response({
      content: [
        { type: 'resource_link', uri: `https://x/${KEY}`, name: dirty, description: `d ${GH}` },
      ],
    }),
    'tools/call',
    {
      content: [
        {
          type: 'resource_link',
          uri: `https://x/${AWS}`,
          name: AWS,
          description: 'd [REDACTED:github]',
        },
      ],
    },
  ],
  [
    '_meta and annotations',
    response({
      content: [{ type: 'text', text: 'ok', annotations: { audience: [dirty] } }],
      _meta: { note: dirty },
    }),
    'tools/call',
    {
      content: [{ type: 'text', text: 'ok', annotations: { audience: [AWS] } }],
      _meta: { note: AWS },
    },
  ],
  [
    'a log notification’s data, whatever it holds',
    notification('notifications/message', { level: 'info', data: { [dirty]: [1, dirty] } }),
    undefined,
    { level: 'info', data: { [AWS]: [1, AWS] } },
  ],
  [
    'progress messages (the token stays as sent)',
    notification('notifications/progress', { progressToken: dirty, progress: 1, message: dirty }),
    undefined,
    { progressToken: dirty, progress: 1, message: AWS },
  ],
  [
    'the server’s own requests',
    request('elicitation/create', {
      message: dirty,
      requestedSchema: { type: 'object', properties: { [KEY]: { type: 'string' } } },
    }),
    undefined,
    {
      message: AWS,
      requestedSchema: { type: 'object', properties: { [AWS]: { type: 'string' } } },
    },
  ],
  [
    'a blob whose bytes hold a secret: redacted in the bytes, re-encoded',
    response({ contents: [{ uri: 'file:///.env', blob: base64(`AWS_KEY=${KEY}\n`) }] }),
    'resources/read',
    { contents: [{ uri: 'file:///.env', blob: base64(`AWS_KEY=${AWS}\n`) }] },
  ],
  [
    'a secret the server base64-encodes in text',
    response({ content: [{ type: 'text', text: `see ${base64(`key=${KEY}`)} ok` }] }),
    'tools/call',
    { content: [{ type: 'text', text: `see ${AWS} ok` }] },
  ],
  [
    'base64url, glued to other base64 characters (any alignment)',
    response({
      content: [{ type: 'text', text: `x${Buffer.from(`>>${GH}??`).toString('base64url')}` }],
    }),
    'tools/call',
    { content: [{ type: 'text', text: '[REDACTED:github]' }] },
  ],
  [
    'hex, at an odd start',
    response({ content: [{ type: 'text', text: `id:f${Buffer.from(KEY).toString('hex')}` }] }),
    'tools/call',
    { content: [{ type: 'text', text: `id:${AWS}` }] },
  ],
  [
    'a secret split across adjacent content items',
    response({
      content: [
        { type: 'text', text: `key ${KEY.slice(0, 8)}` },
        { type: 'text', text: `${KEY.slice(8)} end` },
      ],
    }),
    'tools/call',
    {
      content: [
        { type: 'text', text: `key ${AWS}` },
        { type: 'text', text: ' end' },
      ],
    },
  ],
  [
    'a secret split over three strings of an array, and over a text and the _meta after it',
    response({
      content: [],
      structuredContent: { a: ['gh', GH.slice(2, 9), GH.slice(9)], b: `: ${KEY.slice(0, 10)}` },
      _meta: { tail: KEY.slice(10) },
    }),
    'tools/call',
    {
      content: [],
      structuredContent: { a: ['[REDACTED:github]', '', ''], b: `: ${AWS}` },
      _meta: { tail: '' },
    },
  ],
];

for (const [where, msg, method, expected] of cases) {
  void test(`output: ${where}`, () => {
    assert.deepEqual(cleaned(msg, method), expected);
  });
}

void test('the bound: pieces of a secret with other text between them are not joined', () => {
  const split = response({
    content: [
      { type: 'text', text: KEY.slice(0, 8) },
      { type: 'text', text: ' and then ' },
      { type: 'text', text: KEY.slice(8) },
    ],
  });
  assert.equal(check.check(split, toClient('tools/call')).action, 'pass');
});

void test('random base64 and hex (hashes, images) are left alone', () => {
  const text = `sha256 ${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'} img ${Buffer.from(
    Array.from({ length: 300 }, (_, i) => (i * 37) % 256),
  ).toString('base64')}`;
  assert.equal(
    check.check(response({ content: [{ type: 'text', text }] }), toClient('tools/call')).action,
    'pass',
  );
});
