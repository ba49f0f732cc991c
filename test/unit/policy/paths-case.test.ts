/**
 * Case: compared case-insensitively exactly where the root's filesystem ignores case (detected
 * by looking the root up with its case swapped, or injected), ASCII letters only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { detectIgnoresCase, foldCase } from '../../../src/policy/paths/case-folding.js';
import {
  createPathsCheck,
  type PathsCheckSettings,
} from '../../../src/policy/paths/paths-check.js';
import type { PathFs } from '../../../src/policy/paths/path-fs.js';
import { classify, type RpcMessage } from '../../../src/protocol/jsonrpc.js';
import { fakeFs } from './paths-fake-fs.js';

const read = (path: string): RpcMessage => {
  const parsed = classify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'read_file', arguments: { path } },
  });
  assert.ok(parsed.ok);
  return parsed.message;
};

function decide(settings: Partial<PathsCheckSettings> & { fs: PathFs }, path: string) {
  const check = createPathsCheck({
    paths: {
      roots: ['/Users/Me/Proj'],
      readOnly: [],
      deny: ['**/.env', '/Users/Me/Proj/secrets/**'],
    },
    pathArgs: {},
    cwd: '/Users/Me/Proj',
    home: '/Users/Me',
    platform: 'linux',
    ...settings,
  });
  const verdict = check.check(read(path), {
    direction: 'client-to-server',
    server: 's',
    catalog: new ServerCatalog(),
  });
  return verdict.action === 'deny' ? verdict.reason : 'allow';
}

// realpath keeps the caller's spelling, as on a casefold folder: comparison must ignore case.
const insensitive = fakeFs(
  {
    '/Users/Me/Proj/src/a.ts': 'file',
    '/Users/Me/Proj/.env': 'file',
    '/Users/Me/Proj/secrets/key': 'file',
    '/Users/Me/Proj-Evil/x': 'file',
    '/w/kit/x': 'file',
    '/w/\u212Ait/x': 'file',
  },
  { ignoreCase: true, keepCallerCase: true },
);
const sensitive = fakeFs({
  '/Users/Me/Proj/src/a.ts': 'file',
  '/Users/Me/Proj/.ENV': 'file',
  '/Users/Me/PROJ/x': 'file',
});

const cases: [label: string, fs: PathFs, path: string, expected: 'allow' | RegExp][] = [
  ['insensitive: mixed case inside', insensitive, '/users/me/proj/SRC/a.ts', 'allow'],
  ['insensitive: upper case inside', insensitive, '/USERS/ME/PROJ', 'allow'],
  ['insensitive: a new file in mixed case', insensitive, '/users/ME/proj/New.txt', 'allow'],
  ['insensitive: prefix collision in other case', insensitive, '/USERS/ME/PROJ-EVIL/x', /outside/],
  ['insensitive: .ENV is .env', insensitive, '/Users/Me/Proj/.ENV', /deny glob "\*\*\/\.env"/],
  [
    'insensitive: anchored glob in other case',
    insensitive,
    '/users/me/proj/SECRETS/key',
    /secrets/,
  ],
  ['sensitive: a case variant is another folder', sensitive, '/Users/Me/PROJ/x', /outside/],
  ['sensitive: lower case is another folder', sensitive, '/users/me/proj/src/a.ts', /outside/],
  // Deny globs ignore case everywhere: a casefold folder inside a case-sensitive root exists.
  ['sensitive: .ENV is still denied by **/.env', sensitive, '/Users/Me/Proj/.ENV', /deny glob/],
];
for (const [label, fs, path, expected] of cases) {
  void test(`case: ${label} → ${expected === 'allow' ? 'allowed' : 'denied'}`, () => {
    const result = decide({ fs }, path);
    if (expected === 'allow') assert.equal(result, 'allow');
    else assert.match(result, expected);
  });
}

void test('case: only ASCII letters fold, so a Kelvin sign is not a k (refused, not let out)', () => {
  const roots = { roots: ['/w/kit'], readOnly: [], deny: [] };
  assert.equal(decide({ fs: insensitive, paths: roots }, '/w/KIT/x'), 'allow');
  assert.match(decide({ fs: insensitive, paths: roots }, '/w/\u212Ait/x'), /outside/);
  assert.equal(foldCase('/A/Ä/\u212A/z'), '/a/Ä/\u212A/z');
});

void test('case: an injected rule wins over detection', () => {
  // The filesystem is case-sensitive, but the injected rule says it is not.
  assert.equal(
    decide({ fs: sensitive, ignoresCase: () => true }, '/users/me/proj/src/a.ts'),
    'allow',
  );
  assert.match(
    decide({ fs: insensitive, ignoresCase: () => false }, '/users/me/proj/x'),
    /outside/,
  );
});

void test('detectIgnoresCase: asks the filesystem; the platform decides where it cannot', () => {
  const table: [
    label: string,
    dir: string,
    fs: PathFs,
    platform: NodeJS.Platform,
    expected: boolean,
  ][] = [
    ['an insensitive filesystem', '/Users/Me/Proj', insensitive, 'linux', true],
    ['a sensitive filesystem', '/Users/Me/Proj', sensitive, 'darwin', false],
    ['a missing folder on Linux', '/Nope', sensitive, 'linux', false],
    ['a missing folder on macOS', '/Nope', sensitive, 'darwin', true],
    ['a missing folder on Windows', 'C:\\Nope', sensitive, 'win32', true],
    ['no letters to swap on Linux', '/', insensitive, 'linux', false],
    ['no letters to swap on macOS', '/', sensitive, 'darwin', true],
  ];
  for (const [label, dir, fs, platform, expected] of table)
    assert.equal(detectIgnoresCase(dir, fs, platform), expected, label);
});
