/**
 * The path policy's attack matrix on a POSIX host (fake filesystem): every case is a tools/call
 * and asserts allowed or denied, and for denials what the reason names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { createPathsCheck } from '../../../src/policy/paths/paths-check.js';
import { classify, type RpcMessage } from '../../../src/protocol/jsonrpc.js';
import { fakeFs } from './paths-fake-fs.js';

const fs = fakeFs({
  '/work/proj/src/main.ts': 'file',
  '/work/proj/.env': 'file',
  '/work/proj/config/.env.local': 'file',
  '/work/proj/secrets/key': 'file',
  '/work/proj/vendor/lib.js': 'file',
  '/work/proj/out': { link: '/etc' },
  '/work/proj/chain1': { link: 'chain2' },
  '/work/proj/chain2': { link: '/work/proj/chain3' },
  '/work/proj/chain3': { link: '../../secret' },
  '/work/proj/in1': { link: 'in2' },
  '/work/proj/in2': { link: 'src' },
  '/work/proj/dangling': { link: '/outside/new-file' },
  '/work/proj/dangling-in': { link: '/work/proj/new-place' },
  '/work/proj/dangling-chain': { link: 'dangling' },
  '/work/proj/loop': { link: 'loop' },
  '/work/proj/up': { link: '/outside/deep/dir' },
  '/work/proj/envlink': { link: '/work/proj/.env' },
  '/work/proj/app/.env': { link: '/work/proj/app/settings' },
  '/work/proj/app/settings': 'file',
  '/work/proj-evil/x': 'file',
  '/work/linkroot': { link: '/data/real' },
  '/data/real/file.txt': 'file',
  '/outside/deep/dir': 'dir',
  '/secret': 'file',
  '/etc/passwd': 'file',
  '/home/me/notes.txt': 'file',
  '/docs/manual.md': 'file',
});

const catalog = new ServerCatalog();
catalog.observeResult(
  'tools/list',
  {},
  {
    tools: ['read_file', 'read_multiple_files', 'search_files', 'custom_tool', 'echo']
      .map((name) => ({ name, inputSchema: {}, annotations: { readOnlyHint: true } }))
      .concat(
        ['write_file', 'edit_file', 'move_file'].map((name) => ({
          name,
          inputSchema: {},
          annotations: { readOnlyHint: false },
        })),
      ),
  },
);

const check = createPathsCheck({
  paths: {
    roots: ['/work/proj', '/work/linkroot'],
    readOnly: ['/docs', '/work/proj/vendor'],
    deny: ['**/.env', '**/.env.*', '/work/proj/secrets/**', 'id_*'],
  },
  pathArgs: { custom_tool: ['where'] },
  cwd: '/work/proj',
  home: '/home/me',
  platform: 'linux',
  fs,
  ignoresCase: () => false,
});

const call = (tool: string, args: unknown): RpcMessage => {
  const parsed = classify({
    jsonrpc: '2.0',
    id: 7,
    method: 'tools/call',
    params: { name: tool, arguments: args },
  });
  assert.ok(parsed.ok);
  return parsed.message;
};

type Case = [name: string, tool: string, args: unknown, expected: 'allow' | RegExp];
const read = (path: string): [string, unknown] => ['read_file', { path }];
const write = (path: string): [string, unknown] => ['write_file', { path, content: 'x' }];

const cases: Case[] = [
  // Inside the roots.
  ['a file in a root', ...read('/work/proj/src/main.ts'), 'allow'],
  ['a relative path, against the cwd', ...read('src/main.ts'), 'allow'],
  ['a file that does not exist yet', ...write('/work/proj/new/dir/file.txt'), 'allow'],
  ['the root itself', ...read('/work/proj'), 'allow'],
  ['repeated separators', ...read('//work///proj//src/main.ts'), 'allow'],
  ['.. that stays inside', ...read('/work/proj/src/../src/./main.ts'), 'allow'],
  ['a symlink chain that stays inside', ...read('/work/proj/in1/main.ts'), 'allow'],
  ['a dangling symlink into the root', ...write('/work/proj/dangling-in'), 'allow'],
  ['a symlinked root, by its link', ...read('/work/linkroot/file.txt'), 'allow'],
  ['a symlinked root, by its real path', ...read('/data/real/file.txt'), 'allow'],
  ['a file: URI inside', ...read('file:///work/proj/src/main.ts'), 'allow'],
  ['a file://localhost URI inside', ...read('file://localhost/work/proj/src/main.ts'), 'allow'],
  ['a percent-encoded name inside', ...read('file:///work/proj/src/m%61in.ts'), 'allow'],

  // Traversal.
  [
    '.. out of the root',
    ...read('/work/proj/../../etc/passwd'),
    /resolves to \/etc\/passwd, outside/,
  ],
  [
    '.. into a sibling',
    ...read('/work/proj/src/../../proj-evil/x'),
    /resolves to \/work\/proj-evil\/x/,
  ],
  ['a relative path that climbs', ...read('../proj/src/main.ts'), /climbs above/],
  ['a relative path that climbs late', ...read('src/../../../etc/passwd'), /climbs above/],
  [
    '.. after a symlink (the kernel’s reading)',
    ...read('/work/proj/up/../x'),
    /resolves to \/outside\/deep\/x/,
  ],

  // Prefix collision.
  [
    'a sibling sharing the prefix',
    ...read('/work/proj-evil/x'),
    /\/work\/proj-evil\/x, outside the allowed roots \(\/work\/proj, \/work\/linkroot\)/,
  ],
  ['the sibling itself', ...read('/work/proj-evil'), /outside/],
  ['a shorter prefix', ...read('/work/pro'), /outside/],
  ['the root’s parent', ...read('/work'), /outside/],

  // Symlinks pointing out.
  ['a symlink in a root to /etc', ...read('/work/proj/out/passwd'), /resolves to \/etc\/passwd/],
  ['the symlink itself', ...read('/work/proj/out'), /resolves to \/etc,/],
  ['a symlink chain ending outside', ...read('/work/proj/chain1'), /resolves to \/secret/],
  ['below a chain ending outside', ...write('/work/proj/chain1/new'), /outside/],
  [
    'a dangling symlink to outside',
    ...write('/work/proj/dangling'),
    /resolves to \/outside\/new-file/,
  ],
  [
    'a chain to a dangling symlink',
    ...write('/work/proj/dangling-chain/x'),
    /\/outside\/new-file\/x/,
  ],
  ['a symlink loop', ...read('/work/proj/loop'), /too many levels of symbolic links/],

  // NUL bytes.
  ['a NUL byte', ...read('/work/proj/a\0b'), /path "\/work\/proj\/a\\u0000b" contains a NUL byte/],
  ['a NUL before an extension', ...read('/work/proj/src/main.ts\0.png'), /NUL/],
  ['a percent-encoded NUL', ...read('file:///work/proj/a%00b'), /NUL byte \(percent-encoded\)/],

  // Home.
  ['~ alone', ...read('~'), /resolves to \/home\/me, outside/],
  ['~/', ...read('~/notes.txt'), /resolves to \/home\/me\/notes\.txt/],
  ['~user', ...read('~root/.ssh/id_rsa'), /"~name"/],

  // file: URIs.
  ['a file: URI outside', ...read('file:///etc/passwd'), /resolves to \/etc\/passwd/],
  ['upper-case FILE:', ...read('FILE:///etc/passwd'), /resolves to \/etc\/passwd/],
  ['file:/ with one slash', ...read('file:/etc/passwd'), /resolves to \/etc\/passwd/],
  [
    '%2e%2e segments',
    ...read('file:///work/proj/%2e%2e/%2e%2e/etc/passwd'),
    /resolves to \/etc\/passwd/,
  ],
  ['%2E%2E upper-case', ...read('file:///work/proj/%2E%2E/x'), /resolves to \/work\/x/],
  [
    '..%2f encoded separators',
    ...read('file:///work/proj/..%2f..%2fetc/passwd'),
    /resolves to \/etc\/passwd/,
  ],
  ['%2f%2e%2e%2f', ...read('file:///work/proj%2f%2e%2e%2fproj-evil/x'), /\/work\/proj-evil\/x/],
  ['a remote host', ...read('file://evil.example/work/proj/x'), /another host \(evil\.example\)/],
  ['malformed percent-encoding', ...read('file:///work/proj/%zz'), /malformed percent-encoding/],

  // Trailing separators.
  ['the root with a trailing /', ...read('/work/proj/'), 'allow'],
  ['a sibling with a trailing /', ...read('/work/proj-evil/'), /outside/],
  ['a symlink out with a trailing /', ...read('/work/proj/out/'), /resolves to \/etc,/],

  // Read-only paths.
  ['read-only path, read-only tool', ...read('/docs/manual.md'), 'allow'],
  [
    'read-only path, read-write tool',
    ...write('/docs/manual.md'),
    /under the read-only path \/docs/,
  ],
  ['read-only folder inside a root, read-only tool', ...read('/work/proj/vendor/lib.js'), 'allow'],
  [
    'read-only folder inside a root, read-write tool',
    ...write('/work/proj/vendor/lib.js'),
    /read-only path \/work\/proj\/vendor/,
  ],
  [
    'read-only path, a tool the server never listed',
    'unknown_tool',
    { path: '/docs/manual.md' },
    /read-only/,
  ],

  // Deny globs win inside a root.
  ['.env', ...read('/work/proj/.env'), /denied by the paths.deny glob "\*\*\/\.env"/],
  ['.env.local deeper', ...read('/work/proj/config/.env.local'), /"\*\*\/\.env\.\*"/],
  ['an anchored folder glob', ...read('/work/proj/secrets/key'), /"\/work\/proj\/secrets\/\*\*"/],
  ['a bare name glob at any depth', ...write('/work/proj/src/id_rsa'), /"id_\*"/],
  ['.env spelled with ./', ...read('/work/proj/./src/../.env'), /\.env/],
  ['a symlink to .env', ...read('/work/proj/envlink'), /resolves to \/work\/proj\/\.env/],
  [
    '.env that is a symlink elsewhere',
    ...read('/work/proj/app/.env'),
    /resolves to \/work\/proj\/app\/\.env/,
  ],
  ['a deny glob on a read-only tool too', ...read('/work/proj/.env'), /deny/],

  // Nested and array arguments.
  [
    'one bad path among good ones',
    'read_multiple_files',
    { paths: ['/work/proj/src/main.ts', '/etc/passwd', 'src/main.ts'] },
    /argument paths\[1\] "\/etc\/passwd"/,
  ],
  [
    'all good paths',
    'read_multiple_files',
    { paths: ['/work/proj/src/main.ts', 'src/main.ts'] },
    'allow',
  ],
  [
    'a path-like name deep in objects',
    'write_file',
    { options: { output: { dir: '/tmp/x' } } },
    /argument options\.output\.dir/,
  ],
  [
    'a path-like name in an array of objects',
    'move_file',
    { moves: [{ source: 'src/main.ts', destination: '/tmp/y' }] },
    /argument moves\[0\]\.destination/,
  ],
  [
    'an absolute string under any name',
    'echo',
    { a: { b: [{ c: '/etc/passwd' }] } },
    /argument a\.b\[0\]\.c/,
  ],
  [
    'an absolute string with blanks around it',
    'echo',
    { value: '  /etc/passwd\n' },
    /"\/etc\/passwd"/,
  ],
  [
    'a file: URI under any name',
    'echo',
    { link: 'file:///etc/shadow' },
    /resolves to \/etc\/shadow/,
  ],
  ['~/ under any name', 'echo', { where: '~/notes.txt' }, /\/home\/me\/notes\.txt/],
  [
    'text is not a path',
    'write_file',
    { path: '/work/proj/a.ts', content: '/* header */' },
    'allow',
  ],
  [
    'edits are text',
    'edit_file',
    { path: 'src/main.ts', edits: [{ oldText: '// a', newText: '/// b' }] },
    'allow',
  ],
  [
    'a glob pattern is not a path',
    'search_files',
    { path: '/work/proj', pattern: '/**/*.ts', excludePatterns: ['/etc/**'] },
    'allow',
  ],
  ['a sentence mentioning a path', 'echo', { message: 'see /etc/passwd', note: 'x' }, 'allow'],
  ['numbers, booleans, nulls', 'echo', { n: 5, flag: true, none: null, deep: [[1, [2]]] }, 'allow'],
  ['a relative string under any name', 'echo', { name: 'out/passwd' }, 'allow'],

  // pathArgs.
  [
    'a pathArgs name is a path',
    'custom_tool',
    { where: 'out/passwd' },
    /argument where "out\/passwd" resolves to \/etc\/passwd/,
  ],
  [
    'a pathArgs name at depth',
    'custom_tool',
    { spec: [{ where: 'out' }] },
    /argument spec\[0\]\.where/,
  ],
  ['a pathArgs name inside', 'custom_tool', { where: 'src' }, 'allow'],
  ['pathArgs are per tool', 'echo', { where: 'out/passwd' }, 'allow'],

  // Windows forms on a POSIX host: under no POSIX root.
  ['C:\\', ...read('C:\\Windows\\win.ini'), /resolves to C:\\Windows\\win\.ini, outside/],
  ['C:/', ...read('c:/Windows'), /resolves to C:\\Windows, outside/],
  ['\\\\?\\', ...read('\\\\?\\C:\\x\\..\\y'), /resolves to C:\\y, outside/],
  ['UNC', ...read('\\\\server\\share\\x'), /resolves to \\\\server\\share\\x, outside/],
  ['UNC under any name', 'echo', { a: '\\\\server\\share' }, /outside/],
];

for (const [name, tool, args, expected] of cases) {
  void test(`paths matrix: ${name} → ${expected === 'allow' ? 'allowed' : 'denied'}`, () => {
    const verdict = check.check(call(tool, args), {
      direction: 'client-to-server',
      server: 's',
      catalog,
    });
    if (expected === 'allow') {
      assert.equal(verdict.action, 'pass', JSON.stringify(verdict));
      return;
    }
    assert.equal(verdict.action, 'deny');
    if (verdict.action !== 'deny') return;
    assert.equal(verdict.rule, 'paths');
    assert.match(verdict.reason, /^argument /);
    assert.match(verdict.reason, expected);
  });
}
