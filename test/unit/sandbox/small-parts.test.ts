import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import type { ResolvedManifest } from '../../../src/config/types.js';
import { fieldsOf, sandboxApplied } from '../../../src/audit/event-constructors.js';
import { launchContext, sandboxWarning } from '../../../src/supervisor/launch.js';
import { cacheDirFor, cacheEnv } from '../../../src/sandbox/private-cache.js';
import { childrenOf } from '../../../src/supervisor/proc-tree.js';
import type { SandboxApplied } from '../../../src/sandbox/types.js';
import { BWRAP_OK } from './plan-fixtures.js';

test('each server gets its own cache folder, whatever its name holds', () => {
  assert.equal(cacheDirFor('/p/.mcp-guard', 'files'), '/p/.mcp-guard/cache/files');
  const odd = cacheDirFor('/p/.mcp-guard', '../evil name');
  assert.match(odd, /^\/p\/\.mcp-guard\/cache\/_evil_name-[0-9a-f]{8}$/);
  assert.notEqual(cacheDirFor('/s', 'a b'), cacheDirFor('/s', 'a_b'));
  assert.ok(!odd.slice('/p/.mcp-guard/cache/'.length).includes('/'));
});

test('offline only under network deny; the cache first under allow', () => {
  assert.equal(cacheEnv('/c', 'allow').npm_config_offline, undefined);
  assert.equal(cacheEnv('/c', 'allow').npm_config_prefer_offline, 'true');
  assert.equal(cacheEnv('/c', 'deny').npm_config_prefer_offline, undefined);
  assert.equal(cacheEnv('/c', 'deny').npm_config_offline, 'true');
  assert.equal(cacheEnv('/c', 'deny').UV_OFFLINE, '1');
  assert.equal(cacheEnv('/c', 'allow').npm_config_cache, '/c/npm');
});

test("childrenOf reads ppid after the last ')' and skips zombies", () => {
  const stats: Record<string, string> = {
    '10': '10 (bwrap) S 1 10 10 0',
    '11': '11 (bwrap) S 10 11 11 0',
    '12': '12 (a) b) (c) S 10 12 12 0',
    '13': '13 (dead) Z 10 13 13 0',
    '14': '14 (node) S 11 11 11 0',
  };
  const read = (pid: string) => {
    const stat = stats[pid];
    if (stat === undefined) throw new Error('gone');
    return stat;
  };
  assert.deepEqual(childrenOf(10, ['self', '10', '11', '12', '13', '14', '99'], read), [11, 12]);
});

const applied = (more: Partial<SandboxApplied>): SandboxApplied => ({
  backend: 'bwrap',
  requested: 'auto',
  network: 'allow',
  version: '0.8.0',
  reason: null,
  notes: [],
  ...more,
});

test('sandbox.applied fields: what was used, asked for, and why not', () => {
  assert.deepEqual(fieldsOf(sandboxApplied(applied({}))), {
    backend: 'bwrap',
    requested: 'auto',
    network: 'allow',
    version: '0.8.0',
  });
  assert.deepEqual(
    fieldsOf(sandboxApplied(applied({ backend: 'none', version: null, reason: 'no bwrap' }))),
    { backend: 'none', requested: 'auto', network: 'allow', reason: 'no bwrap' },
  );
});

test('one warning when auto runs unconfined, none when confined as asked', () => {
  assert.equal(sandboxWarning(['a'], applied({})), null);
  assert.equal(sandboxWarning(['a'], applied({ backend: 'none', requested: 'off' })), null);
  const text = sandboxWarning(
    ['a', 'b'],
    applied({ backend: 'none', network: 'deny', reason: 'bubblewrap (bwrap) is not installed' }),
  );
  assert.match(text ?? '', /servers 'a', 'b' run without the OS sandbox/);
  assert.match(text ?? '', /bubblewrap \(bwrap\) is not installed; network: deny is not enforced/);
  assert.doesNotMatch(text ?? '', /error/i);
});

test('launchContext protects the manifest, its lock, profiles, user config and the parse cache; hides the audit log', () => {
  const manifest = {
    file: '/p/mcp-guard.yaml',
    stateDir: '/p/.mcp-guard',
    audit: { file: '/p/.mcp-guard/audit.jsonl', bodies: false },
    servers: {
      a: { paths: { roots: ['/p'] } },
      b: { paths: { roots: ['/p/b', '/q'] } },
    } as unknown as ResolvedManifest['servers'],
  } as ResolvedManifest;
  const ctx = launchContext(manifest, BWRAP_OK, { HOME: '/home/u' }, '/home/u');
  assert.deepEqual(ctx.protect, ['/p/mcp-guard.yaml', '/p/mcp-guard.lock']);
  assert.deepEqual(ctx.protectFolders, [
    '/p/profiles',
    '/home/u/.config/mcp-guard',
    '/home/u/.cache/mcp-guard',
  ]);
  assert.deepEqual(ctx.writable, ['/p', '/p/b', '/q'], "every server's roots");
  assert.deepEqual(ctx.hide, ['/p/.mcp-guard/audit.jsonl']);
  const adHoc = launchContext(
    { ...manifest, file: null, audit: { file: '-', bodies: false } },
    BWRAP_OK,
    { XDG_CONFIG_HOME: '/cfg', XDG_CACHE_HOME: '/cache' },
    '/home/u',
  );
  assert.deepEqual(
    [adHoc.protect, adHoc.protectFolders, adHoc.hide],
    [[], ['/cfg/mcp-guard', '/cache/mcp-guard'], []],
  );
  // A relative XDG_CACHE_HOME is not one (as config/context.ts reads it): $HOME/.cache.
  const relative = launchContext(
    manifest,
    BWRAP_OK,
    { HOME: '/home/u', XDG_CACHE_HOME: 'c' },
    '/home/u',
  );
  assert.ok(relative.protectFolders?.includes('/home/u/.cache/mcp-guard'));
  // Without $HOME the config layer reads the account's home folder (os.homedir()): so does this.
  const noHome = launchContext(manifest, BWRAP_OK, {}, '/home/account');
  assert.deepEqual(noHome.protectFolders?.slice(1), [
    '/home/account/.config/mcp-guard',
    '/home/account/.cache/mcp-guard',
  ]);
  // A relative home leads the config layer's paths under this process's directory: protected there.
  const relativeHome = launchContext(manifest, BWRAP_OK, { HOME: 'h' }, 'h');
  assert.deepEqual(relativeHome.protectFolders?.slice(1), [
    join(process.cwd(), 'h/.config/mcp-guard'),
    join(process.cwd(), 'h/.cache/mcp-guard'),
  ]);
});

test('launchContext protects the profile files the chain read, as it protects the manifest', () => {
  const manifest = {
    file: '/p/mcp-guard.yaml',
    stateDir: '/p/.mcp-guard',
    profileFiles: ['/p/policy/team.yaml', '/p/policy/base.yaml'],
    audit: { file: '-', bodies: false },
    servers: { a: { paths: { roots: ['/p'] } } } as unknown as ResolvedManifest['servers'],
  } as ResolvedManifest;
  const ctx = launchContext(manifest, BWRAP_OK, { HOME: '/home/u' }, '/home/u');
  assert.deepEqual(ctx.protect, [
    '/p/mcp-guard.yaml',
    '/p/mcp-guard.lock',
    '/p/policy/team.yaml',
    '/p/policy/base.yaml',
  ]);
});
