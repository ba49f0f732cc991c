import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hintFor,
  HintWatch,
  isOfflineCacheMiss,
  type HintContext,
} from '../../../src/supervisor/fix-hints.js';

const NPM_MISS =
  "npm error request to https://registry.npmjs.org/x failed: cache mode is 'only-if-cached' but no cached response is available.";
const UV_MISS =
  "error: Network connectivity is disabled, but the requested data wasn't found in the cache for: `https://pypi.org/simple/mcp-server-time/`";

function context(over: Partial<HintContext['server']> = {}, adHoc = false): HintContext {
  return {
    server: {
      name: 'files',
      args: ['/srv/pkg/dist/index.js', '/data/project'],
      cwd: '/',
      paths: { roots: ['/work'], readOnly: ['/docs'], deny: [] },
      sandbox: { mode: 'auto', network: 'deny' },
      ...over,
    },
    adHoc,
    isDirectory: (path) =>
      path.startsWith('/data/project') || path === '/' || path.startsWith('/work'),
  };
}

void test('isOfflineCacheMiss: npm and uv offline misses, nothing else', () => {
  assert.ok(isOfflineCacheMiss('npm error code ENOTCACHED'));
  assert.ok(isOfflineCacheMiss(NPM_MISS));
  assert.ok(isOfflineCacheMiss(UV_MISS));
  assert.ok(!isOfflineCacheMiss('npm error code E404'));
  assert.ok(!isOfflineCacheMiss('listening on stdio'));
});

void test('a cache miss under network deny names prepare (manifest) or the flag to drop (ad hoc)', () => {
  assert.match(
    hintFor('npm error code ENOTCACHED', context()) ?? '',
    /run `mcp-guard prepare files` once/,
  );
  assert.match(hintFor(UV_MISS, context({}, true)) ?? '', /start it once without --deny-network/);
  const allowed = context({ sandbox: { mode: 'auto', network: 'allow' } });
  assert.equal(hintFor('npm error code ENOTCACHED', allowed), undefined);
});

void test('a folder in the arguments outside the roots, named on stderr, names --allow or paths.roots', () => {
  const line = 'Warning: Cannot access directory /data/project, skipping';
  assert.match(
    hintFor(line, context({}, true)) ?? '',
    /'\/data\/project' .*: add --allow \/data\/project/,
  );
  assert.match(hintFor(line, context()) ?? '', /add it to servers\.files\.paths\.roots/);
  const cases: [string, HintContext][] = [
    ['inside a root', context({ args: ['/work/sub'] })],
    ['read-only path', context({ args: ['/docs'] })],
    ['a parent of a root', context({ args: ['/'] })],
    ['sandbox off', context({ sandbox: { mode: 'off', network: 'allow' } })],
    ['a missing folder (a typo, not the sandbox)', context({ args: ['/data/missing'] })],
    ['a file (the server’s script, shown to it anyway)', context()],
  ];
  for (const [what, ctx] of cases) {
    const mentioned = `Cannot access ${ctx.server.args[0]}`;
    assert.equal(hintFor(mentioned, ctx), undefined, what);
  }
  assert.equal(hintFor('Error: something else', context()), undefined, 'a line not naming it');
  const flag = context({ args: ['--root=/data/project/'] });
  assert.match(hintFor('cannot open /data/project', flag) ?? '', /'\/data\/project'/);
});

test('HintWatch keeps the first hint while watching, ignores lines otherwise, and clears', () => {
  const watch = new HintWatch(context());
  watch.line(NPM_MISS, false);
  assert.equal(watch.hint, null, 'not watching (another child, or ready)');
  watch.line('starting…', true);
  assert.equal(watch.hint, null, 'no hint in an ordinary line');
  watch.line(NPM_MISS, true);
  const first = watch.hint;
  assert.equal(first, hintFor(NPM_MISS, context()));
  watch.line(UV_MISS, true);
  assert.equal(watch.hint, first, 'the first hint stays');
  watch.clear();
  assert.equal(watch.hint, null);
});
