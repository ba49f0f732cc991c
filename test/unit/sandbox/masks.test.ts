import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMasks, type MaskInput } from '../../../src/sandbox/masks.js';
import { fakeFs } from './fake-fs.js';

const fs = fakeFs({
  '/w/.env': 'file',
  '/w/.env.local': 'file',
  '/w/env.txt': 'file',
  '/w/src/app.js': 'file',
  '/w/src/.env': 'file',
  '/w/.ssh/id_ed25519': 'file',
  '/w/.ssh/known_hosts': 'file',
  '/w/dev.sock': 'socket',
  '/w/deep/er/agent.sock': 'socket',
  '/w/node_modules/pkg/.env': 'file',
  '/w/node_modules/pkg/server.sock': 'socket',
  '/w/.git/config': 'file',
  '/w/secrets': { link: '/w/config/keys.json' },
  '/w/config/keys.json': 'file',
  '/w/outside': { link: '/elsewhere/.env' },
  '/elsewhere/.env': 'file',
  '/w/.mcp-guard/cache/s/x.sock': 'socket',
  '/ro/id_rsa': 'file',
});

function masks(more: Partial<MaskInput>) {
  return findMasks(
    {
      walk: ['/w'],
      deny: [],
      visible: ['/w', '/usr'],
      budget: 1000,
      skip: ['/w/.mcp-guard'],
      ...more,
    },
    fs,
  );
}

test('with no deny globs, every socket is masked, even deep down', () => {
  const found = masks({});
  assert.deepEqual(found.files, ['/w/deep/er/agent.sock', '/w/dev.sock']);
  assert.deepEqual(found.dirs, []);
  assert.equal(found.incomplete, null);
});

test('deny globs: files by real path, folders whole (not entered), bare names anywhere', () => {
  const found = masks({
    deny: ['**/.env', '**/.env.*', '/w/.ssh/**', 'id_*'],
    walk: ['/w', '/ro'],
  });
  assert.deepEqual(found.files, [
    '/ro/id_rsa',
    '/w/.env',
    '/w/.env.local',
    '/w/deep/er/agent.sock',
    '/w/dev.sock',
    '/w/src/.env',
  ]);
  assert.deepEqual(found.dirs, ['/w/.ssh']);
});

test("a denied symlink masks its target when the target is visible, and nothing when it isn't", () => {
  const found = masks({ deny: ['**/secrets', '**/outside'] });
  assert.ok(found.files.includes('/w/config/keys.json'));
  assert.ok(!found.files.some((f) => f.startsWith('/elsewhere')));
  assert.ok(!found.files.includes('/w/secrets'));
});

test('node_modules and .git are matched but not entered', () => {
  const found = masks({ deny: ['**/.env', '**/.git'] });
  assert.ok(!found.files.some((f) => f.includes('node_modules')));
  assert.deepEqual(found.dirs, ['/w/.git']);
});

test('skipped folders are not searched', () => {
  assert.ok(!masks({}).files.some((f) => f.startsWith('/w/.mcp-guard')));
  assert.ok(masks({ skip: [] }).files.includes('/w/.mcp-guard/cache/s/x.sock'));
});

test('a walk start that is itself denied is masked whole', () => {
  const found = masks({ walk: ['/w/.ssh'], deny: ['/w/.ssh/**'] });
  assert.deepEqual(found.dirs, ['/w/.ssh']);
});

test('the budget: at the limit the walk completes, one entry short it stops and says where', () => {
  let entries = 0;
  const all = findMasks(
    { walk: ['/w'], deny: [], visible: ['/w'], budget: 10_000, skip: ['/w/.mcp-guard'] },
    { ...fs, readdir: (p) => ((entries += fs.readdir(p).length), fs.readdir(p)) },
  );
  assert.equal(all.incomplete, null);
  const exact = masks({ budget: entries });
  assert.equal(exact.incomplete, null);
  const short = masks({ budget: entries - 1 });
  assert.match(short.incomplete ?? '', /more than \d+ entries/);
});
