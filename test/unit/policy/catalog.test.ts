import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';

const tool = (name: string, readOnly?: boolean): Record<string, unknown> => ({
  name,
  inputSchema: { type: 'object' },
  ...(readOnly === undefined ? {} : { annotations: { readOnlyHint: readOnly } }),
});

test('a walk without a cursor replaces the list; a cursor continues it', () => {
  const catalog = new ServerCatalog();
  catalog.observeResult('tools/list', {}, { tools: [tool('a'), tool('b')], nextCursor: 'p2' });
  assert.deepEqual([...catalog.list('tools').items.keys()], ['a', 'b']);
  assert.equal(catalog.list('tools').complete, false);
  catalog.observeResult('tools/list', { cursor: 'p2' }, { tools: [tool('c')] });
  assert.deepEqual([...catalog.list('tools').items.keys()], ['a', 'b', 'c']);
  assert.equal(catalog.list('tools').complete, true);
  catalog.observeResult('tools/list', undefined, { tools: [tool('d')] });
  assert.deepEqual([...catalog.list('tools').items.keys()], ['d']);
});

test('readOnlyHint is read from the advertised annotations only when exactly true', () => {
  const catalog = new ServerCatalog();
  catalog.observeResult(
    'tools/list',
    {},
    {
      tools: [
        tool('read', true),
        tool('write', false),
        tool('plain'),
        { name: 'odd', annotations: { readOnlyHint: 'true' } },
      ],
    },
  );
  assert.equal(catalog.isReadOnlyTool('read'), true);
  assert.equal(catalog.isReadOnlyTool('write'), false);
  assert.equal(catalog.isReadOnlyTool('plain'), false);
  assert.equal(catalog.isReadOnlyTool('odd'), false);
  assert.equal(catalog.isReadOnlyTool('missing'), false);
});

test('resources are keyed by uri, prompts by name; junk items and results are ignored', () => {
  const catalog = new ServerCatalog();
  catalog.observeResult(
    'resources/list',
    {},
    { resources: [{ uri: 'file:///a' }, 7, { name: 'no-uri' }] },
  );
  catalog.observeResult('prompts/list', {}, { prompts: [{ name: 'p' }] });
  catalog.observeResult('tools/call', {}, { tools: [tool('x')] });
  catalog.observeResult('tools/list', {}, 'not an object');
  assert.deepEqual([...catalog.list('resources').items.keys()], ['file:///a']);
  assert.deepEqual([...catalog.list('prompts').items.keys()], ['p']);
  assert.equal(catalog.seen('tools'), false);
});

test('list_changed marks the list stale until it is walked again', () => {
  const catalog = new ServerCatalog();
  catalog.observeResult('tools/list', {}, { tools: [tool('a')] });
  assert.equal(catalog.observeNotification('notifications/tools/list_changed'), true);
  assert.equal(catalog.list('tools').stale, true);
  assert.equal(catalog.observeNotification('notifications/progress'), false);
  const before = catalog.list('tools').version;
  catalog.replace('tools', [tool('b')]);
  assert.equal(catalog.list('tools').stale, false);
  assert.ok(catalog.list('tools').version > before);
  assert.deepEqual([...catalog.list('tools').items.keys()], ['b']);
});
