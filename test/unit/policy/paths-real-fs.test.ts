/**
 * The path policy on the real filesystem (nodePathFs) in a temp dir: real symlinks, chains,
 * dangling links, loops, a symlinked root, `..` after a symlink, /proc links, case detection.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { detectIgnoresCase } from '../../../src/policy/paths/case-folding.js';
import { createPathsCheck } from '../../../src/policy/paths/paths-check.js';
import { nodePathFs } from '../../../src/policy/paths/path-fs.js';
import type { PolicyCheck } from '../../../src/policy/pipeline.js';
import { classify } from '../../../src/protocol/jsonrpc.js';

let base = '';
let check: PolicyCheck;
const at = (...parts: string[]) => join(base, ...parts);

before(async () => {
  // Real path of the temp dir, so expected messages can name it (macOS: /var → /private/var).
  base = await realpath(await mkdtemp(join(tmpdir(), 'mcp-guard-paths-')));
  await mkdir(at('root', 'sub'), { recursive: true });
  await mkdir(at('root-evil'));
  await mkdir(at('outside', 'deep'), { recursive: true });
  await writeFile(at('root', 'file.txt'), 'inside');
  await writeFile(at('root', '.env'), 'SECRET=1');
  await writeFile(at('root-evil', 'x'), 'evil');
  await writeFile(at('outside', 'secret'), 'secret');
  await symlink(at('outside'), at('root', 'out'));
  await symlink('c2', at('root', 'c1'));
  await symlink(at('root', 'c3'), at('root', 'c2'));
  await symlink('../outside/secret', at('root', 'c3'));
  await symlink(at('outside', 'new-file'), at('root', 'dangle'));
  await symlink('dangle', at('root', 'dangle-chain'));
  await symlink('loop', at('root', 'loop'));
  await symlink(at('outside', 'deep'), at('root', 'up'));
  await symlink('sub', at('root', 'inner'));
  await symlink('.env', at('root', 'env-alias'));
  await symlink(at('root'), at('linkroot'));
  check = createPathsCheck({
    paths: { roots: [at('linkroot')], readOnly: [], deny: ['**/.env'] },
    pathArgs: {},
    cwd: at('linkroot'),
    home: at('outside'),
    platform: process.platform,
    fs: nodePathFs,
  });
});
after(() => rm(base, { recursive: true, force: true }));

const decide = (path: string) => {
  const parsed = classify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'write_file', arguments: { path } },
  });
  assert.ok(parsed.ok);
  const verdict = check.check(parsed.message, {
    direction: 'client-to-server',
    server: 's',
    catalog: new ServerCatalog(),
  });
  return verdict.action === 'deny' ? verdict.reason : 'allow';
};

const cases: [label: string, path: () => string, expected: 'allow' | (() => string | RegExp)][] = [
  ['a file under the symlinked root, by the link', () => at('linkroot', 'file.txt'), 'allow'],
  ['the same file by its real path', () => at('root', 'file.txt'), 'allow'],
  ['relative to the cwd', () => 'sub/new.txt', 'allow'],
  ['a new file in a new folder', () => at('linkroot', 'a', 'b', 'c.txt'), 'allow'],
  ['a symlink staying inside', () => at('root', 'inner', 'x'), 'allow'],
  ['file: URI of the real path', () => `file://${at('root', 'file.txt')}`, 'allow'],
  [
    'a sibling sharing the prefix',
    () => at('root-evil', 'x'),
    () => `resolves to ${at('root-evil', 'x')}, outside`,
  ],
  [
    '.. out of the link',
    () => `${at('linkroot')}/../outside/secret`,
    () => `resolves to ${at('outside', 'secret')}`,
  ],
  [
    'a symlink to outside',
    () => at('root', 'out', 'secret'),
    () => `resolves to ${at('outside', 'secret')}`,
  ],
  [
    'a chain ending outside',
    () => at('linkroot', 'c1'),
    () => `resolves to ${at('outside', 'secret')}`,
  ],
  [
    'a dangling link to outside',
    () => at('root', 'dangle'),
    () => `resolves to ${at('outside', 'new-file')}`,
  ],
  [
    'a chain to a dangling link',
    () => at('root', 'dangle-chain', 'x'),
    () => `resolves to ${at('outside', 'new-file', 'x')}`,
  ],
  ['a symlink loop', () => at('root', 'loop'), () => /too many levels of symbolic links/],
  [
    '.. after a symlink',
    () => `${at('root', 'up')}/../secret`,
    () => `resolves to ${at('outside', 'secret')}`,
  ],
  [
    'a relative .. after a symlink',
    () => 'up/../secret',
    () => `resolves to ${at('outside', 'secret')}`,
  ],
  ['a denied name', () => at('root', '.env'), () => /denied by the paths.deny glob "\*\*\/\.env"/],
  ['a link to a denied name', () => at('root', 'env-alias'), () => /paths.deny/],
  ['~ (home outside)', () => '~/secret', () => `resolves to ${at('outside', 'secret')}`],
];
if (process.platform === 'linux') {
  cases.push([
    '/proc/self/root',
    () => '/proc/self/root/etc/passwd',
    () => /outside the allowed roots/,
  ]);
}

for (const [label, path, expected] of cases) {
  void test(`real fs: ${label} → ${expected === 'allow' ? 'allowed' : 'denied'}`, () => {
    const result = decide(path());
    if (expected === 'allow') return assert.equal(result, 'allow');
    const wanted = expected();
    if (typeof wanted === 'string') assert.ok(result.includes(wanted), `${result}\n≠ ${wanted}`);
    else assert.match(result, wanted);
  });
}

void test('real fs: case detection agrees with the filesystem holding the temp dir', async () => {
  const upper = at('Case-Probe');
  await mkdir(upper);
  let ignores: boolean;
  try {
    await realpath(at('case-probe'));
    ignores = true;
  } catch {
    ignores = false;
  }
  assert.equal(detectIgnoresCase(upper, nodePathFs, process.platform), ignores);
});
