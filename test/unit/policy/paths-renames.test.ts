/**
 * Restrictions follow their folder (real filesystem, temp dirs): a read-only folder and the
 * folder an anchored deny glob names are followed by identity from the moment the policy is
 * built, so renaming them or a folder above them — to another name, to a name with a line
 * break, or behind a symlink at the old name — does not lift them. Where the platform cannot
 * say where a folder went, the identity of each folder on a path's way is asked instead.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createPathRules, type PathPolicy } from '../../../src/policy/paths/path-rules.js';
import { nodePathFs, type PathFs } from '../../../src/policy/paths/path-fs.js';

async function workspace(t: TestContext) {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'mcp-guard-renames-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  const at = (...parts: string[]) => join(base, ...parts);
  await mkdir(at('root', 'conf', 'secrets'), { recursive: true });
  await mkdir(at('root', 'lib', 'vendor'), { recursive: true });
  await mkdir(at('root', 'keys'), { recursive: true });
  await writeFile(at('root', 'conf', 'secrets', 'token'), 'secret');
  await writeFile(at('root', 'conf', '.env'), 'SECRET=1');
  await writeFile(at('root', 'lib', 'vendor', 'lib.js'), 'vendored');
  await writeFile(at('root', 'keys', 'id_rsa'), 'key');
  const policy: PathPolicy = {
    roots: [at('root')],
    readOnly: [at('root', 'lib', 'vendor')],
    deny: [
      `${at('root', 'conf', 'secrets')}/**`,
      at('root', 'conf', '.env'),
      `${at('root', 'keys')}/id_*`,
    ],
  };
  return { at, policy };
}

const judge = (policy: PathPolicy, fs: PathFs = nodePathFs) => {
  const rules = createPathRules(policy, { platform: 'linux', fs, ignoresCase: () => false });
  return (path: string, readOnlyUse = false) => {
    const decision = rules.decide([path], readOnlyUse);
    return decision.allowed ? 'allow' : decision.why;
  };
};

void test('an anchored deny glob holds after a folder above it is renamed', async (t) => {
  const { at, policy } = await workspace(t);
  const decide = judge(policy);
  await rename(at('root', 'conf'), at('root', 'settings'));
  assert.match(decide(at('root', 'settings', 'secrets', 'token')), /conf\/secrets\/\*\*"$/);
  assert.match(decide(at('root', 'settings', 'secrets')), /deny glob/);
  assert.match(decide(at('root', 'settings', '.env')), /conf\/\.env"$/);
  assert.equal(decide(at('root', 'settings', 'other.txt')), 'allow');
  // The old names are still denied by path, whatever is there now.
  assert.match(decide(at('root', 'conf', 'secrets', 'token')), /deny glob/);
});

void test('an anchored deny glob holds after a rename to a name with a line break', async (t) => {
  const { at, policy } = await workspace(t);
  const decide = judge(policy);
  await rename(at('root', 'conf'), at('root', 'a\nb'));
  await rename(at('root', 'keys'), at('root', 'k\r\u2028eys'));
  assert.match(decide(at('root', 'a\nb', 'secrets', 'token')), /deny glob/);
  assert.match(decide(at('root', 'k\r\u2028eys', 'id_rsa')), /keys\/id_\*"$/);
  assert.equal(decide(at('root', 'k\r\u2028eys', 'known_hosts')), 'allow');
});

void test('the denied folder itself renamed, or swapped for a symlink to its new place', async (t) => {
  const { at, policy } = await workspace(t);
  const decide = judge(policy);
  await rename(at('root', 'conf', 'secrets'), at('root', 'public'));
  await rename(at('root', 'conf'), at('root', 'conf2'));
  await symlink(at('root', 'conf2'), at('root', 'conf'));
  assert.match(decide(at('root', 'public', 'token')), /deny glob/);
  assert.match(decide(at('root', 'conf2', '.env')), /deny glob/);
  assert.match(decide(at('root', 'conf', '.env')), /deny glob/);
});

void test('a read-only folder stays read-only after it or a folder above it is renamed', async (t) => {
  const { at, policy } = await workspace(t);
  const decide = judge(policy);
  await rename(at('root', 'lib'), at('root', 'lib\nx'));
  const moved = at('root', 'lib\nx', 'vendor', 'lib.js');
  assert.match(
    decide(moved),
    /under the read-only path \S*\/lib\/vendor \(now at [\s\S]*lib\nx\/vendor\)/,
  );
  assert.equal(decide(moved, true), 'allow', 'read-only tools may still read it');
  assert.equal(decide(at('root', 'lib\nx', 'other.js')), 'allow');
  await rename(at('root', 'lib\nx', 'vendor'), at('root', 'v'));
  assert.match(decide(at('root', 'v', 'new.js')), /read-only/);
});

void test('a removed folder lifts nothing by path; a new folder in its place is still restricted', async (t) => {
  const { at, policy } = await workspace(t);
  const decide = judge(policy);
  await rm(at('root', 'lib', 'vendor'), { recursive: true });
  await mkdir(at('root', 'lib', 'vendor'));
  assert.match(decide(at('root', 'lib', 'vendor', 'x.js')), /read-only/);
  await rmdir(at('root', 'lib', 'vendor'));
  assert.match(decide(at('root', 'lib', 'vendor', 'x.js')), /read-only/);
});

void test('where a folder’s place cannot be read, the identities on the way are asked', async (t) => {
  const { at, policy } = await workspace(t);
  // As on a platform without /proc: the tracker knows the folder's identity, not its place.
  const blind: PathFs = {
    ...nodePathFs,
    trackFolder(path) {
      const tracker = nodePathFs.trackFolder?.(path);
      return tracker && { id: tracker.id, where: () => ({ state: 'unknown' }) };
    },
  };
  const decide = judge(policy, blind);
  await rename(at('root', 'conf'), at('root', 'elsewhere'));
  await rename(at('root', 'lib'), at('root', 'l'));
  assert.match(decide(at('root', 'elsewhere', 'secrets', 'token')), /deny glob/);
  assert.match(decide(at('root', 'elsewhere', 'secrets', 'new', 'file')), /deny glob/);
  assert.match(decide(at('root', 'l', 'vendor', 'lib.js')), /read-only/);
  assert.equal(decide(at('root', 'l', 'x.js')), 'allow');
  assert.equal(decide(at('root', 'new', 'deep', 'file')), 'allow');
});
