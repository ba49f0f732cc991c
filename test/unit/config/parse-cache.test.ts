import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { type ConfigContext, loadManifest } from '../../../src/config/load.js';
import { parseKey, readParsed, writeParsed } from '../../../src/config/parse-cache.js';
import { GuardError } from '../../../src/errors.js';

function workspace(
  t: TestContext,
  manifest: string,
): { file: string; ctx: ConfigContext; cache: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-cache-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  mkdirSync(home);
  const file = join(root, 'mcp-guard.yaml');
  writeFileSync(file, manifest);
  const cache = join(root, 'cache');
  return {
    file,
    cache: join(cache, 'mcp-guard', 'parsed'),
    ctx: { cwd: root, env: { XDG_CACHE_HOME: cache }, homeDir: home },
  };
}

const MANIFEST = 'version: 1\nservers:\n  s:\n    command: node\n    args: [a.js]\n';

void test('the first load caches the parse; the second resolves identically from the cache', (t) => {
  const w = workspace(t, MANIFEST);
  const first = loadManifest(w.file, w.ctx);
  const entries = readdirSync(w.cache);
  assert.deepEqual(entries, [`${parseKey(MANIFEST)}.json`]);
  assert.equal(statSync(join(w.cache, entries[0]!)).mode & 0o077, 0, 'owner-only permissions');
  const second = loadManifest(w.file, w.ctx);
  assert.deepEqual(second, first);
});

void test('an edited manifest is parsed again, never served stale', (t) => {
  const w = workspace(t, MANIFEST);
  loadManifest(w.file, w.ctx);
  writeFileSync(w.file, MANIFEST.replace('a.js', 'b.js'));
  assert.deepEqual(loadManifest(w.file, w.ctx).servers.s?.args, ['b.js']);
  assert.equal(readdirSync(w.cache).length, 2);
});

void test('problems found on a cache hit still point at file:line:col', (t) => {
  const text =
    'version: 1\nservers:\n  s:\n    command: node\n    env:\n      TOKEN: "${env:MCP_GUARD_TEST_UNSET}"\n';
  const w = workspace(t, text);
  const problemsOf = (): string[] => {
    try {
      loadManifest(w.file, w.ctx);
    } catch (err) {
      assert.ok(err instanceof GuardError);
      return err.problems.map((p) => `${p.line}:${p.col}:${p.key}`);
    }
    return [];
  };
  const first = problemsOf();
  assert.equal(readdirSync(w.cache).length, 1, 'the parse was cached although resolution failed');
  assert.deepEqual(problemsOf(), first);
  assert.equal(first.length, 1);
  assert.match(first[0]!, /^6:\d+:servers\.s\.env\.TOKEN$/);
});

void test('the cache never holds an expanded variable', (t) => {
  const w = workspace(
    t,
    'version: 1\nservers:\n  s:\n    command: node\n    env: { T: "${env:SECRET_FOR_TEST}" }\n',
  );
  const ctx = { ...w.ctx, env: { ...w.ctx.env, SECRET_FOR_TEST: 'hunter2-secret' } };
  assert.equal(loadManifest(w.file, ctx).servers.s?.env.T, 'hunter2-secret');
  const cached = readFileSync(join(w.cache, readdirSync(w.cache)[0]!), 'utf8');
  assert.doesNotMatch(cached, /hunter2/);
  assert.match(cached, /\$\{env:SECRET_FOR_TEST\}/);
});

void test('values JSON cannot hold exactly are not cached; a corrupt entry is ignored', (t) => {
  const w = workspace(t, MANIFEST);
  writeParsed(w.cache, 'k1', { n: Number.POSITIVE_INFINITY });
  assert.equal(readParsed(w.cache, 'k1'), undefined);
  writeParsed(w.cache, 'k2', { n: 1 });
  assert.deepEqual(readParsed(w.cache, 'k2'), { data: { n: 1 }, passed: [] });
  writeFileSync(join(w.cache, `${parseKey(MANIFEST)}.json`), '{"format":1,');
  assert.equal(loadManifest(w.file, w.ctx).servers.s?.command, 'node');
  const wrongKey = join(w.cache, 'k3.json');
  writeFileSync(wrongKey, JSON.stringify({ format: 1, key: 'other', data: {} }));
  assert.equal(readParsed(w.cache, 'k3'), undefined, 'an entry under the wrong name is refused');
});

/** The schema's refusal of the unknown key `typo`. */
const refusesTypo = (err: unknown): boolean =>
  err instanceof GuardError && err.problems.some((problem) => problem.key === 'servers.s.typo');

/** The cache entry of the workspace's manifest, as stored. */
function entryOf(w: { file: string; cache: string }): { data: unknown; passed?: string[] } {
  const text = readFileSync(w.file, 'utf8');
  return JSON.parse(readFileSync(join(w.cache, `${parseKey(text)}.json`), 'utf8')) as {
    data: unknown;
    passed?: string[];
  };
}

void test('a manifest that passed the schema check is not checked again by the same validators', (t) => {
  const w = workspace(t, MANIFEST);
  loadManifest(w.file, w.ctx);
  const { passed } = entryOf(w);
  assert.equal(passed?.length, 1);
  assert.match(passed[0]!, /^manifest:[0-9a-f]{32}$/);
  // The entry is trusted for the check it names: data the schema refuses, under that name,
  // is not checked again (only mcp-guard writes the cache, as it writes the parse).
  const key = parseKey(MANIFEST);
  writeParsed(w.cache, key, { version: 1, servers: { s: { command: 'node', typo: 1 } } }, passed);
  assert.equal(loadManifest(w.file, w.ctx).servers.s?.command, 'node');
  // Another build of the validators checks it again, finds the problem, and records nothing.
  writeParsed(w.cache, key, { version: 1, servers: { s: { command: 'node', typo: 1 } } }, [
    'manifest:another-build',
  ]);
  assert.throws(() => loadManifest(w.file, w.ctx), refusesTypo);
  assert.deepEqual(entryOf(w).passed, ['manifest:another-build']);
});

void test('a manifest the schema refuses is cached without a passed check, and refused every time', (t) => {
  const w = workspace(t, MANIFEST.replace('command: node', 'command: node\n    typo: 1'));
  for (let i = 0; i < 2; i++) {
    assert.throws(() => loadManifest(w.file, w.ctx), refusesTypo);
  }
  assert.equal(entryOf(w).passed, undefined);
});
