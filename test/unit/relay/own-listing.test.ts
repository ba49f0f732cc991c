import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldsOf } from '../../../src/audit/event-constructors.js';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { walkPages, MAX_ITEMS, MAX_PAGES } from '../../../src/relay/list-pages.js';
import { ServerErrorReply } from '../../../src/relay/own-requests.js';
import {
  listNeeded,
  MAX_WAITING,
  OwnListing,
  type OwnKind,
} from '../../../src/relay/own-listing.js';

const tool = (name: string) => ({ name, inputSchema: { type: 'object' } });

/** A server of pages: `pages[cursor ?? '']` answers each request. */
function pager(pages: Record<string, unknown>) {
  const asked: (string | undefined)[] = [];
  const request = (_method: string, params: Record<string, unknown>) => {
    const cursor = params.cursor as string | undefined;
    asked.push(cursor);
    const page = pages[cursor ?? ''];
    return page instanceof Error ? Promise.reject(page) : Promise.resolve(page);
  };
  return { request, asked };
}

test('walkPages: every page, bounded by pages, items and repeated cursors', async () => {
  const cases: {
    name: string;
    pages: Record<string, unknown>;
    bounds?: { pages?: number; items?: number };
    items: string[];
    cut?: RegExp;
    asked: number;
  }[] = [
    {
      name: 'three pages',
      pages: {
        '': { tools: [tool('a')], nextCursor: 'p2' },
        p2: { tools: [tool('b'), 'junk', tool('c')], nextCursor: 'p3' },
        p3: { tools: [] },
      },
      items: ['a', 'b', 'c'],
      asked: 3,
    },
    {
      name: 'always a nextCursor (a new one each time)',
      pages: new Proxy(
        {},
        { get: (_t, key) => ({ tools: [tool(String(key))], nextCursor: `${String(key)}x` }) },
      ),
      bounds: { pages: 5 },
      items: ['', 'x', 'xx', 'xxx', 'xxxx'],
      cut: /cut at 5 pages/,
      asked: 5,
    },
    {
      name: 'a cursor seen before',
      pages: {
        '': { tools: [tool('a')], nextCursor: 'p2' },
        p2: { tools: [tool('b')], nextCursor: 'p2' },
      },
      items: ['a', 'b'],
      cut: /repeated a cursor after 2 pages/,
      asked: 2,
    },
    {
      name: 'more items than the bound',
      pages: { '': { tools: [tool('a'), tool('b'), tool('c')] } },
      bounds: { items: 2 },
      items: ['a', 'b'],
      cut: /cut at 2 items/,
      asked: 1,
    },
  ];
  for (const c of cases) {
    const server = pager(c.pages);
    const walk = await walkPages(server.request, 'tools/list', 'tools', c.bounds);
    assert.deepEqual(
      walk.items.map((item) => item.name),
      c.items,
      c.name,
    );
    if (c.cut === undefined) assert.equal(walk.cut, undefined, c.name);
    else assert.match(walk.cut ?? '', c.cut, c.name);
    assert.equal(server.asked.length, c.asked, c.name);
  }
  assert.equal(MAX_PAGES, 100);
  assert.equal(MAX_ITEMS, 10_000);
});

test('walkPages: a result that is no list result rejects, or ends a lenient walk', async () => {
  const server = pager({ '': { tools: [tool('a')], nextCursor: 'p2' }, p2: { nope: 1 } });
  await assert.rejects(
    walkPages(server.request, 'tools/list', 'tools'),
    /the server's tools\/list result has no tools array/,
  );
  const lenient = await walkPages(server.request, 'tools/list', 'tools', { lenient: true });
  assert.deepEqual(
    lenient.items.map((item) => item.name),
    ['a'],
  );
});

/** A listing over a scripted server: each request waits until the test answers it. */
function setup(options: { capabilities?: Record<string, unknown>; attached?: boolean } = {}) {
  const catalog = new ServerCatalog();
  const requests: {
    method: string;
    params: Record<string, unknown>;
    answer: (result: unknown) => void;
    fail: (err: Error) => void;
  }[] = [];
  const listed: OwnKind[] = [];
  const records: { event: string; fields: Record<string, unknown>; level: string }[] = [];
  let attached = options.attached ?? true;
  const listing = new OwnListing({
    catalog,
    request: (method, params) =>
      new Promise((answer, fail) => requests.push({ method, params, answer, fail })),
    attached: () => attached,
    serverCapabilities: () => options.capabilities,
    listed: (kind) => void listed.push(kind),
    batch: (work) => work(),
    record: (event) =>
      void records.push({ event: event.name, fields: fieldsOf(event), level: event.level }),
  });
  const resumed: string[] = [];
  const waiter = (id: number | string, kind: OwnKind = 'tools', since = 0) => ({
    id,
    kind,
    since,
    resume: () => void resumed.push(String(id)),
  });
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    catalog,
    listing,
    requests,
    listed,
    records,
    resumed,
    waiter,
    settle,
    attach: (value: boolean) => (attached = value),
  };
}

test('listNeeded: tools/call needs the tools, prompts/get the prompts, nothing else waits', () => {
  assert.equal(listNeeded('tools/call'), 'tools');
  assert.equal(listNeeded('prompts/get'), 'prompts');
  for (const method of [
    'tools/list',
    'resources/read',
    'ping',
    'initialize',
    'completion/complete',
  ])
    assert.equal(listNeeded(method), undefined, method);
});

test('begin walks tools and prompts; a call waits until the walk is in the catalog', async () => {
  const t = setup({ capabilities: { tools: {}, prompts: {} } });
  assert.equal(t.listing.ready('tools'), false);
  t.listing.begin();
  assert.deepEqual(
    t.requests.map((r) => r.method),
    ['tools/list', 'prompts/list'],
  );
  assert.equal(t.listing.wait(t.waiter(1)), true);
  assert.equal(t.listing.has(1), true);
  assert.equal(t.requests.length, 2, 'a walk under way is not started twice');
  t.requests[0]!.answer({ tools: [tool('a')], nextCursor: 'p2' });
  await t.settle();
  assert.deepEqual(t.requests[2]!.params, { cursor: 'p2' });
  assert.deepEqual(t.resumed, [], 'not before the last page');
  t.requests[2]!.answer({ tools: [tool('b')] });
  await t.settle();
  assert.deepEqual(t.resumed, ['1']);
  assert.equal(t.listing.has(1), false);
  assert.deepEqual([...t.catalog.list('tools').items.keys()], ['a', 'b']);
  assert.equal(t.listing.ready('tools'), true);
  assert.deepEqual(t.listed, ['tools']);
  assert.equal(t.listing.ready('prompts'), false, 'its walk is still under way');
});

test('a list the server did not declare is known empty at once, without a request', async () => {
  const t = setup({ capabilities: { tools: {} } });
  t.listing.begin();
  assert.deepEqual(
    t.requests.map((r) => r.method),
    ['tools/list'],
  );
  await t.settle();
  assert.equal(t.listing.ready('prompts'), true);
  assert.equal(t.catalog.list('prompts').items.size, 0);
});

test("capabilities unknown (a stateless client that sent no server/discover): 'Method not found' is an empty list, not a failed walk", async () => {
  const t = setup();
  t.listing.begin();
  assert.deepEqual(
    t.requests.map((r) => r.method),
    ['tools/list', 'prompts/list'],
  );
  t.requests[0]!.answer({ tools: [tool('a')] });
  t.requests[1]!.fail(new ServerErrorReply(-32601, 'Method not found'));
  await t.settle();
  assert.deepEqual(t.records, []);
  assert.equal(t.listing.ready('prompts'), true);
  assert.equal(t.catalog.list('prompts').items.size, 0);
  assert.equal(t.catalog.list('prompts').gap, undefined);
  // A server that declared prompts and then says it has no such method: that walk failed.
  const declared = setup({ capabilities: { tools: {}, prompts: {} } });
  declared.listing.begin();
  declared.requests[1]!.fail(new ServerErrorReply(-32601, 'Method not found'));
  await declared.settle();
  assert.deepEqual(
    declared.records.map((r) => [r.event, r.fields.outcome]),
    [['policy.listing', 'failed']],
  );
});

test('a call before any walk starts one; a failed walk resumes its calls, and the next call walks again', async () => {
  const t = setup();
  t.listing.wait(t.waiter('x'));
  assert.deepEqual(
    t.requests.map((r) => r.method),
    ['tools/list'],
  );
  t.requests[0]!.fail(new Error('tools/list timed out after 30000 ms'));
  await t.settle();
  assert.deepEqual(t.resumed, ['x'], 'resumed, to be refused against what is known');
  const list = t.catalog.list('tools');
  assert.equal(list.gap, 'its own tools/list failed: tools/list timed out after 30000 ms');
  assert.equal(list.complete, true);
  assert.equal(t.listing.ready('tools'), false);
  t.listing.wait(t.waiter('y'));
  assert.equal(t.requests.length, 2, 'the next call triggers a new walk');
  t.requests[1]!.answer({ tools: [tool('a')] });
  await t.settle();
  assert.deepEqual(t.resumed, ['x', 'y']);
  assert.equal(t.catalog.list('tools').gap, undefined);
  assert.equal(t.listing.ready('tools'), true);
});

test('list_changed during a walk walks once more before the calls go on', async () => {
  const t = setup({ capabilities: { tools: {} } });
  t.listing.begin();
  await t.settle();
  t.listing.wait(t.waiter(1));
  t.listing.changed('tools');
  t.listing.changed('tools');
  t.listing.changed('resources');
  t.requests[0]!.answer({ tools: [tool('old')] });
  await t.settle();
  assert.equal(t.requests.length, 2, 'one more walk for both notifications');
  assert.deepEqual(t.resumed, []);
  t.requests[1]!.answer({ tools: [tool('new')] });
  await t.settle();
  assert.deepEqual(t.resumed, ['1']);
  assert.deepEqual([...t.catalog.list('tools').items.keys()], ['new']);
  // After it, a list_changed makes the list stale again (the catalog marks it) and walks it.
  t.catalog.observeNotification('notifications/tools/list_changed');
  t.listing.changed('tools');
  assert.equal(t.listing.ready('tools'), false);
  assert.equal(t.requests.length, 3);
});

test('a detached server voids the walk; calls wait for the next server, which is walked once it takes requests', async () => {
  const t = setup({ capabilities: { tools: {} } });
  t.listing.wait(t.waiter(1));
  t.attach(false);
  t.listing.detached();
  t.requests[0]!.fail(new Error('server stopped: exit'));
  await t.settle();
  assert.deepEqual(t.resumed, [], 'the failure of a walk of a dead server counts for nothing');
  assert.equal(t.catalog.seen('tools'), false);
  t.listing.wait(t.waiter(2));
  assert.equal(t.requests.length, 1, 'no walk while no server takes requests');
  t.attach(true);
  t.listing.resumed();
  assert.equal(t.requests.length, 2);
  t.requests[1]!.answer({ tools: [] });
  await t.settle();
  assert.deepEqual(t.resumed.sort(), ['1', '2']);
});

test('a walk adopted from the replay makes the list known and resumes its calls', () => {
  const t = setup();
  t.attach(false);
  t.listing.wait(t.waiter(1));
  t.listing.adopt('tools', { items: [tool('a')], cut: 'tools/list was cut at 100 pages' });
  t.attach(true);
  t.listing.resumed();
  assert.deepEqual(t.resumed, ['1']);
  assert.equal(t.catalog.list('tools').gap, 'tools/list was cut at 100 pages');
  assert.deepEqual(t.listed, ['tools']);
});

test('waiting calls: cancelled, expired by callTimeout, bounded', () => {
  const t = setup({ attached: false });
  t.listing.wait(t.waiter(1, 'tools', 0));
  t.listing.wait(t.waiter(2, 'prompts', 500));
  assert.equal(t.listing.cancel(1), true);
  assert.equal(t.listing.cancel(1), false);
  assert.deepEqual(t.listing.takeLate(1499, 1000), []);
  assert.deepEqual(
    t.listing.takeLate(1500, 1000).map((w) => w.id),
    [2],
  );
  assert.equal(t.listing.waiting, 0);
  for (let i = 0; i < MAX_WAITING; i += 1) assert.equal(t.listing.wait(t.waiter(i)), true);
  assert.equal(t.listing.wait(t.waiter('one more')), false);
});

test('walkPages: an item whose name (or uri) is not a string is left out and named by what it had', async () => {
  const odd = [{ name: 7 }, { name: ['a'] }, { title: 'x' }, 'junk', null];
  const server = pager({
    '': { tools: [tool('a'), ...odd], nextCursor: 'p2' },
    p2: { tools: [tool('b')] },
  });
  const walk = await walkPages(server.request, 'tools/list', 'tools');
  assert.deepEqual(
    walk.items.map((item) => item.name),
    ['a', 'b'],
  );
  assert.deepEqual(walk.unjudged, [
    'name: a number',
    'name: an array',
    'name: missing',
    'item: a string',
    'item: null',
  ]);
  const resources = pager({ '': { resources: [{ uri: 1, name: 'n' }, { uri: 'file:///a' }] } });
  const found = await walkPages(resources.request, 'resources/list', 'resources');
  assert.deepEqual(found.unjudged, ['uri: a number']);
  assert.equal(found.items.length, 1);
  const clean = await walkPages(
    pager({ '': { tools: [tool('a')] } }).request,
    'tools/list',
    'tools',
  );
  assert.equal('unjudged' in clean, false);
});

test('a walk cut at its bound, or one that failed, is audited (policy.listing); items it could not judge as list.item', async () => {
  const t = setup({ capabilities: { tools: {}, prompts: {} } });
  t.listing.begin();
  // tools: a page that repeats its own cursor, with an item named by a number.
  t.requests[0]!.answer({ tools: [tool('a'), { name: 42 }], nextCursor: 'same' });
  await t.settle();
  t.requests[2]!.answer({ tools: [tool('b')], nextCursor: 'same' });
  // prompts: the server answers with an error that carries control characters and a secret.
  t.requests[1]!.fail(
    new ServerErrorReply(-32000, 'no\u0000 ghp_0123456789abcdef0123456789abcdef0123'),
  );
  await t.settle();
  assert.deepEqual(t.records, [
    {
      event: 'policy.deny',
      level: 'warn',
      fields: {
        rule: 'list.item',
        reason:
          'hidden from tools/list: 1 item(s) whose name is not a string, which no rule can judge (name: a number)',
        direction: 'server-to-client',
        method: 'tools/list',
      },
    },
    {
      event: 'policy.listing',
      level: 'warn',
      fields: {
        list: 'tools',
        outcome: 'cut',
        reason: 'tools/list repeated a cursor after 2 pages',
        items: 2,
      },
    },
    {
      event: 'policy.listing',
      level: 'warn',
      fields: {
        list: 'prompts',
        outcome: 'failed',
        reason:
          'its own prompts/list failed: -32000: no\u0000 ghp_0123456789abcdef0123456789abcdef0123',
      },
    },
  ]);
  // What a refused call quotes never carries the server's own words (they reach the client).
  assert.equal(
    t.catalog.list('prompts').gap,
    'its own prompts/list failed: the server answered error -32000',
  );
  assert.equal(t.catalog.list('tools').gap, 'tools/list repeated a cursor after 2 pages');
});

test('a walk adopted from the replay is audited the same way when it was cut', () => {
  const t = setup();
  t.listing.adopt('tools', { items: [tool('a')], cut: 'tools/list was cut at 100 pages' });
  t.listing.adopt('prompts', { items: [] });
  assert.deepEqual(
    t.records.map((r) => [r.event, r.fields.list, r.fields.outcome, r.fields.items]),
    [['policy.listing', 'tools', 'cut', 1]],
  );
});
