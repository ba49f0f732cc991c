import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAccessCheck } from '../../../src/policy/access.js';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import type { RpcMessage } from '../../../src/protocol/jsonrpc.js';
import {
  callTool,
  catalogWith,
  notification,
  outcome,
  request,
  response,
  rewritten,
  toClient,
  toServer,
  type Recorded,
} from '../../helpers/policy.js';

const open = { allow: ['*'], deny: [] };
const config = (over: Record<string, unknown> = {}) => ({
  tools: {
    ...open,
    readOnlyOnly: false,
    pin: 'off' as const,
    pathArgs: {},
    rateLimits: {},
    ...(over.tools as object),
  },
  resources: { ...open, ...(over.resources as object) },
  prompts: { ...open, ...(over.prompts as object) },
});
const tool = (name: string, readOnly?: boolean) => ({
  name,
  inputSchema: { type: 'object' },
  ...(readOnly === undefined ? {} : { annotations: { readOnlyHint: readOnly } }),
});
const listed = catalogWith([tool('read_file', true), tool('move_file', false), tool('plain')]);

const requests: [string, Record<string, unknown>, RpcMessage, ServerCatalog, string][] = [
  ['an allowed, listed tool', {}, callTool('read_file'), listed, 'pass'],
  [
    'a denied tool',
    { tools: { deny: ['move_*'] } },
    callTool('move_file'),
    listed,
    'deny tools.deny',
  ],
  [
    'a tool outside allow',
    { tools: { allow: ['read_*'] } },
    callTool('plain'),
    listed,
    'deny tools.allow',
  ],
  ['an unknown tool after a complete walk', {}, callTool('rm_rf'), listed, 'deny tools.unknown'],
  [
    'an unknown tool before any walk: the server decides',
    {},
    callTool('rm_rf'),
    new ServerCatalog(),
    'pass',
  ],
  [
    'a denied tool before any walk',
    { tools: { deny: ['rm_*'] } },
    callTool('rm_rf'),
    new ServerCatalog(),
    'deny tools.deny',
  ],
  [
    'readOnlyOnly: an annotated tool',
    { tools: { readOnlyOnly: true } },
    callTool('read_file'),
    listed,
    'pass',
  ],
  [
    'readOnlyOnly: readOnlyHint false',
    { tools: { readOnlyOnly: true } },
    callTool('move_file'),
    listed,
    'deny tools.readOnlyOnly',
  ],
  [
    'readOnlyOnly: no annotations',
    { tools: { readOnlyOnly: true } },
    callTool('plain'),
    listed,
    'deny tools.readOnlyOnly',
  ],
  [
    'readOnlyOnly: before any walk, nothing is proven read-only',
    { tools: { readOnlyOnly: true } },
    callTool('read_file'),
    new ServerCatalog(),
    'deny tools.readOnlyOnly',
  ],
  [
    'a denied tool behind a leading U+202E, though the server lists that name',
    { tools: { deny: ['move_*'] } },
    callTool('\u202emove_file'),
    catalogWith([tool('\u202emove_file')]),
    'deny tools.deny',
  ],
  [
    'a denied tool with U+200B inside its name, before any walk',
    { tools: { deny: ['move_file'] } },
    callTool('move\u200b_file'),
    new ServerCatalog(),
    'deny tools.deny',
  ],
  [
    'a denied prompt behind a zero-width character',
    { prompts: { deny: ['secret*'] } },
    request('prompts/get', { name: '\u200bsecret_prompt' }),
    listed,
    'deny prompts.deny',
  ],
  ['a tools/call without a name goes to the server', {}, request('tools/call', {}), listed, 'pass'],
  [
    'a denied resource',
    { resources: { deny: ['file:///etc/**'] } },
    request('resources/read', { uri: 'file:///etc/passwd' }),
    listed,
    'deny resources.deny',
  ],
  [
    'subscribing to a denied resource',
    { resources: { deny: ['file:///etc/**'] } },
    request('resources/subscribe', { uri: 'file:///etc/passwd' }),
    listed,
    'deny resources.deny',
  ],
  [
    'a resource outside allow',
    { resources: { allow: ['memo://**'] } },
    request('resources/read', { uri: 'file:///x' }),
    listed,
    'deny resources.allow',
  ],
  [
    'an unlisted resource (templates make any URI possible)',
    {},
    request('resources/read', { uri: 'file:///x' }),
    catalogWith([], 'resources'),
    'pass',
  ],
  [
    'a denied prompt',
    { prompts: { deny: ['admin*'] } },
    request('prompts/get', { name: 'admin' }),
    listed,
    'deny prompts.deny',
  ],
  [
    'an unknown prompt after a complete walk',
    {},
    request('prompts/get', { name: 'x' }),
    catalogWith([{ name: 'y' }], 'prompts'),
    'deny prompts.unknown',
  ],
  [
    'a listed prompt',
    {},
    request('prompts/get', { name: 'y' }),
    catalogWith([{ name: 'y' }], 'prompts'),
    'pass',
  ],
  [
    'completion for a denied prompt',
    { prompts: { deny: ['admin'] } },
    request('completion/complete', {
      ref: { type: 'ref/prompt', name: 'admin' },
      argument: { name: 'a', value: '' },
    }),
    listed,
    'deny prompts.deny',
  ],
  [
    'completion for a denied resource',
    { resources: { deny: ['file:///etc/**'] } },
    request('completion/complete', {
      ref: { type: 'ref/resource', uri: 'file:///etc/{x}' },
      argument: { name: 'x', value: '' },
    }),
    listed,
    'deny resources.deny',
  ],
  ['other methods pass', { tools: { allow: [] } }, request('ping'), listed, 'pass'],
];

for (const [what, over, message, catalog, expected] of requests) {
  void test(`client requests: ${what}`, () => {
    assert.equal(
      outcome(createAccessCheck(config(over)).check(message, toServer(catalog))),
      expected,
    );
  });
}

void test('unknown tools: a walk still paging, or a list the server said changed, does not make a name unknown', () => {
  const check = createAccessCheck(config());
  const catalog = new ServerCatalog();
  catalog.observeResult('tools/list', {}, { tools: [tool('a')], nextCursor: 'p2' });
  assert.equal(
    outcome(check.check(callTool('b'), toServer(catalog))),
    'pass',
    'page 2 not walked yet',
  );
  catalog.observeResult('tools/list', { cursor: 'p2' }, { tools: [tool('b')] });
  assert.equal(outcome(check.check(callTool('c'), toServer(catalog))), 'deny tools.unknown');
  catalog.observeNotification('notifications/tools/list_changed');
  assert.equal(outcome(check.check(callTool('c'), toServer(catalog))), 'pass', 'stale list');
});

void test('a refusal says what was refused and by which key', () => {
  const verdict = createAccessCheck(config({ tools: { deny: ['move_*'] } })).check(
    callTool('move_file'),
    toServer(listed),
  );
  assert.deepEqual(verdict, {
    action: 'deny',
    rule: 'tools.deny',
    reason: 'tool "move_file" is denied by tools.deny',
  });
});

void test('tools/list: denied and not-read-only tools are removed, nextCursor and other members kept, the decision recorded', () => {
  const check = createAccessCheck(config({ tools: { deny: ['move_*'], readOnlyOnly: true } }));
  const page = {
    tools: [tool('read_file', true), tool('move_file', false), tool('plain')],
    nextCursor: 'p2',
    _meta: { x: 1 },
  };
  const catalog = new ServerCatalog();
  catalog.observeResult('tools/list', {}, page);
  const verdict = check.check(response(page, 4), toClient('tools/list', {}, catalog));
  const body = rewritten(verdict);
  assert.deepEqual(body, {
    jsonrpc: '2.0',
    id: 4,
    result: { tools: [tool('read_file', true)], nextCursor: 'p2', _meta: { x: 1 } },
  });
  assert.ok(verdict.action === 'rewrite');
  assert.deepEqual(verdict.withheld, [
    { rule: 'tools.deny', reason: 'hidden from tools/list: "move_file"' },
    { rule: 'tools.readOnlyOnly', reason: 'hidden from tools/list: "plain"' },
  ]);
});

void test('tools/list: a denied name behind invisible characters is hidden as the name the client would see', () => {
  const check = createAccessCheck(config({ tools: { deny: ['move_*'] } }));
  const page = { tools: [tool('\u202emove_file'), tool('move\u200b_file'), tool('read_file')] };
  const verdict = check.check(
    response(page, 5),
    toClient('tools/list', {}, catalogWith(page.tools)),
  );
  assert.deepEqual(rewritten(verdict), {
    jsonrpc: '2.0',
    id: 5,
    result: { tools: [tool('read_file')] },
  });
  assert.ok(verdict.action === 'rewrite');
  assert.deepEqual(verdict.withheld, [
    {
      rule: 'tools.deny',
      reason: 'hidden from tools/list: "\\u202emove_file", "move\\u200b_file"',
    },
  ]);
});

void test('list items whose name (or uri) is not a string are dropped and audited: no rule can judge them', () => {
  const check = createAccessCheck(config({ tools: { deny: ['move_*'] } }));
  const odd: unknown[] = [
    { name: 42 },
    { name: ['move_file'] },
    { name: { toString: 'move_file' } },
    { title: 'no name' },
    { name: null },
    'move_file',
    7,
  ];
  const page = { tools: [tool('read_file'), ...odd, tool('move_file')], nextCursor: 'n' };
  const verdict = check.check(
    response(page, 6),
    toClient('tools/list', {}, catalogWith([tool('read_file')])),
  );
  assert.deepEqual(rewritten(verdict), {
    jsonrpc: '2.0',
    id: 6,
    result: { tools: [tool('read_file')], nextCursor: 'n' },
  });
  assert.ok(verdict.action === 'rewrite');
  assert.deepEqual(verdict.withheld, [
    { rule: 'tools.deny', reason: 'hidden from tools/list: "move_file"' },
    {
      rule: 'list.item',
      reason:
        'hidden from tools/list: 7 item(s) whose name is not a string, which no rule can judge ' +
        '(name: a number, name: an array, name: an object, name: missing, name: null, item: a string, item: a number)',
    },
  ]);
  // Resources are named by uri; prompts by name: the same rule.
  const resources = check.check(
    response({
      resources: [
        { uri: 5, name: 'x' },
        { uri: 'file:///ok', name: 'ok' },
      ],
    }),
    toClient('resources/list'),
  );
  assert.deepEqual(rewritten(resources).result, {
    resources: [{ uri: 'file:///ok', name: 'ok' }],
  });
  assert.ok(resources.action === 'rewrite');
  assert.match(
    resources.withheld?.[0]?.reason ?? '',
    /1 item\(s\) whose uri is not a string, .*\(uri: a number\)$/,
  );
  const prompts = check.check(response({ prompts: [{ name: false }] }), toClient('prompts/list'));
  assert.deepEqual(rewritten(prompts).result, { prompts: [] });
});

void test('list pages with nothing to hide pass untouched (no re-serialising)', () => {
  const check = createAccessCheck(config({ tools: { deny: ['zzz'] } }));
  const page = { tools: [tool('a')], nextCursor: 'c' };
  assert.equal(
    outcome(check.check(response(page), toClient('tools/list', {}, catalogWith(page.tools)))),
    'pass',
  );
  assert.equal(
    outcome(check.check(response({ tools: [] }), toClient('tools/list'))),
    'pass',
    'an empty page',
  );
  assert.equal(
    outcome(check.check(response({ nothing: 1 }), toClient('tools/list'))),
    'pass',
    'not a list',
  );
});

void test('an empty page after filtering keeps its cursor, so the client goes on to the next page', () => {
  const check = createAccessCheck(config({ resources: { deny: ['file:///secret/**'] } }));
  const page = { resources: [{ uri: 'file:///secret/a', name: 'a' }], nextCursor: 'more' };
  const body = rewritten(check.check(response(page), toClient('resources/list')));
  assert.deepEqual(body.result, { resources: [], nextCursor: 'more' });
});

void test('prompts/list and resources/list are filtered by their own globs; many hidden names are summarised', () => {
  const check = createAccessCheck(config({ prompts: { deny: ['p*'] } }));
  const prompts = Array.from({ length: 25 }, (_, i) => ({ name: `p${i}` }));
  const verdict = check.check(
    response({ prompts: [...prompts, { name: 'keep' }] }),
    toClient('prompts/list'),
  );
  assert.deepEqual(rewritten(verdict).result, { prompts: [{ name: 'keep' }] });
  assert.ok(verdict.action === 'rewrite');
  assert.match(verdict.withheld?.[0]?.reason ?? '', /"p19" and 5 more$/);
});

void test('resources/updated notifications about a denied resource are dropped', () => {
  const check = createAccessCheck(config({ resources: { deny: ['file:///etc/**'] } }));
  const records: Recorded[] = [];
  const updated = (uri: string) => notification('notifications/resources/updated', { uri });
  assert.equal(
    outcome(
      check.check(updated('file:///etc/passwd'), toClient(undefined, {}, undefined, records)),
    ),
    'deny resources.deny',
  );
  assert.equal(outcome(check.check(updated('file:///tmp/x'), toClient(undefined))), 'pass');
});

void test('subscriptions/listen naming a denied resource is refused; one naming only allowed ones passes', () => {
  const check = createAccessCheck(config({ resources: { deny: ['file:///etc/**'] } }));
  const listen = (uris: string[]) =>
    request('subscriptions/listen', {
      notifications: { toolsListChanged: true, resourceSubscriptions: uris },
    });
  assert.equal(
    outcome(check.check(listen(['memo://a', 'file:///etc/passwd']), toServer())),
    'deny resources.deny',
  );
  assert.equal(outcome(check.check(listen(['memo://a', 'file:///tmp/x']), toServer())), 'pass');
  assert.equal(
    outcome(check.check(request('subscriptions/listen', { notifications: {} }), toServer())),
    'pass',
  );
});
