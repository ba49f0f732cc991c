/**
 * Parser differentials: every string a server may take for a path or a `file:` URI is checked in
 * the form the server will use — WHATWG URL parsing (tabs and newlines removed anywhere, C0
 * controls and spaces trimmed, scheme case, `\`, `localhost`, `%2e` `%2f` `%5c` `%00`), URIs cut
 * as text (query and fragment kept), percent-decoding, trimming by JavaScript and Python rules,
 * `\` as a separator; and restrictions hold across Unicode normalisation and case. Fake
 * filesystem, POSIX host, table-driven: tools/call arguments, free-named strings and
 * resources/read URIs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { createPathsCheck } from '../../../src/policy/paths/paths-check.js';
import { fileUriReading, readingsOf } from '../../../src/policy/paths/path-readings.js';
import { isPathCandidate } from '../../../src/policy/paths/path-candidate.js';
import { classify, type RpcMessage } from '../../../src/protocol/jsonrpc.js';
import { fakeFs } from './paths-fake-fs.js';

const fs = fakeFs({
  '/work/proj/src/main.ts': 'file',
  '/work/proj/caf\u00e9/menu.md': 'file',
  '/work/proj/Docs/manual.md': 'file',
  '/work/proj/\u00e9cole/notes.md': 'file',
  '/etc/passwd': 'file',
});

const catalog = new ServerCatalog();
catalog.observeResult(
  'tools/list',
  {},
  {
    tools: [
      { name: 'read_file', inputSchema: {}, annotations: { readOnlyHint: true } },
      { name: 'echo', inputSchema: {}, annotations: { readOnlyHint: true } },
      { name: 'write_file', inputSchema: {}, annotations: { readOnlyHint: false } },
    ],
  },
);

const check = createPathsCheck({
  paths: {
    roots: ['/work/proj'],
    readOnly: ['/work/proj/caf\u00e9', '/work/proj/Docs', '/work/proj/\u00c9cole'],
    deny: ['**/.env', '/work/proj/secrets/**', '**/stra\u00dfe/**'],
  },
  pathArgs: {},
  cwd: '/work/proj',
  home: '/home/me',
  platform: 'linux',
  fs,
  ignoresCase: () => false,
});

const message = (method: string, params: unknown): RpcMessage => {
  const parsed = classify({ jsonrpc: '2.0', id: 3, method, params });
  assert.ok(parsed.ok);
  return parsed.message;
};
const decide = (request: RpcMessage) => {
  const verdict = check.check(request, { direction: 'client-to-server', server: 's', catalog });
  return verdict.action === 'deny' ? verdict.reason : 'allow';
};

type Case = [name: string, tool: string, args: Record<string, unknown>, expected: 'allow' | RegExp];
const read = (path: string): [string, Record<string, unknown>] => ['read_file', { path }];
const write = (path: string): [string, Record<string, unknown>] => [
  'write_file',
  { path, content: 'x' },
];
const OUT = /resolves to \/etc\/passwd, outside/;

const cases: Case[] = [
  // WHATWG URL parsing: what new URL() / fileURLToPath() in the server would read.
  ['a tab inside the scheme', ...read('fi\tle:///etc/passwd'), OUT],
  ['a newline inside the scheme', ...read('fil\ne:///etc/passwd'), OUT],
  ['a carriage return before the colon', ...read('file\r:///etc/passwd'), OUT],
  ['tabs and newlines in the path', ...read('file:///et\tc/pa\nss\rwd'), OUT],
  ['a leading C0 control', ...read('\u0001file:///etc/passwd'), OUT],
  [
    'leading and trailing C0 and space',
    ...read(' \u001f\u0002file:///etc/passwd\u0003 \u0010'),
    OUT,
  ],
  ['a leading escape character', ...read('\u001bfile:///etc/passwd'), OUT],
  ['mixed-case scheme', ...read('FiLe:///etc/passwd'), OUT],
  // Refused either way: by URL rules it is /etc/passwd, as text a UNC path without a share.
  ['backslashes for slashes', ...read('file:\\\\\\etc\\passwd'), /UNC path without a share/],
  ['a host of localhost', ...read('file://localhost/etc/passwd'), OUT],
  ['LOCALHOST with a tab', ...read('file://LOCAL\tHOST/etc/passwd'), OUT],
  [
    '%2e%2e after a tab in the scheme',
    ...read('f\tile:///work/proj/%2e%2e/%2e%2e/etc/passwd'),
    OUT,
  ],
  ['.%2e mixed', ...read('file:///work/proj/.%2e/.%2E/etc/passwd'), OUT],
  ['%2f separators', ...read('file:///work/proj/..%2f..%2fetc%2fpasswd'), OUT],
  ['%5c separators', ...read('file:///work/proj/..%5c..%5cetc%5cpasswd'), OUT],
  ['%00 after a tab', ...read('fi\tle:///work/proj/a%00b'), /NUL byte \(percent-encoded\)/],
  ['another host after a newline', ...read('fi\nle://evil.example/x'), /another host/],
  // URIs read as text: the query and fragment stay in the path.
  ['a query that climbs', ...read('file:///work/proj/x?/../../../etc/passwd'), OUT],
  ['a fragment that climbs', ...read('file:///work/proj/x#/../../../etc/passwd'), OUT],
  ['file: with no slashes, climbing', ...read('file:/work/proj/../../etc/passwd'), OUT],
  // Plain paths: trimming rules, percent-decoding servers, `\` as a separator.
  ['a leading U+001C (Python strips it)', 'echo', { value: '\u001c/etc/passwd' }, OUT],
  ['a leading U+0085', 'echo', { value: '\u0085/etc/passwd' }, OUT],
  ['a leading no-break space', 'echo', { value: '\u00a0/etc/passwd' }, OUT],
  ['a leading BOM', 'echo', { value: '\ufeff/etc/passwd' }, OUT],
  ['a percent-encoded climb in a plain path', ...read('/work/proj/%2e%2e/%2e%2e/etc/passwd'), OUT],
  ['a percent-encoded NUL in a plain path', ...read('/work/proj/a%00b'), /NUL byte/],
  ['backslashes in an absolute path', ...read('/work/proj/..\\..\\etc\\passwd'), OUT],
  ['// at the start', ...read('//etc/passwd'), OUT],
  ['a trailing /.', ...read('/work/proj/../../etc/passwd/.'), OUT],
  ['~ with a tab after it', ...read('~\t'), /"~name"/],
  ['~ with a space before it', ...read(' ~'), /resolves to \/home\/me, outside/],
  // Under free names and in resource URIs the same readings are recognised as paths.
  ['a tabbed URI under any name', 'echo', { text: 'x', where: 'fi\tle:///etc/passwd' }, OUT],
  ['a C0-led URI under any name', 'echo', { a: ['\u0001FILE:///etc/passwd'] }, OUT],
  ['a multi-line URI under any name', 'echo', { a: 'file:///etc/\npasswd' }, OUT],
  // Inside the root, the same forms pass.
  ['a tabbed URI inside', ...read('fi\tle:///work/proj/src/main.ts'), 'allow'],
  ['a C0-led URI inside', ...read('\u0001file:///work/proj/src/main.ts'), 'allow'],
  ['a query inside', ...read('file:///work/proj/src/main.ts?x=1'), 'allow'],
  ['a name with a bare %', ...read('/work/proj/100%.txt'), 'allow'],
  ['a name with %25', ...read('/work/proj/100%25.txt'), 'allow'],
  ['a name with #', ...read('/work/proj/notes#1.md'), 'allow'],
  ['a backslash in a name inside', ...read('/work/proj/a\\b.txt'), 'allow'],

  // Unicode normalisation and case: restrictions match every spelling.
  ['read-only folder, NFC', ...write('/work/proj/caf\u00e9/menu.md'), /read-only path/],
  ['read-only folder, NFD', ...write('/work/proj/cafe\u0301/menu.md'), /read-only path/],
  ['read-only folder, NFD upper-case', ...write('/work/proj/CAFE\u0301/menu.md'), /read-only/],
  ['read-only folder, NFD through a URI', ...write('file:///work/proj/cafe%CC%81/x'), /read-only/],
  ['read-only folder, other case', ...write('/work/proj/docs/manual.md'), /read-only path/],
  ['read-only folder, non-ASCII case', ...write('/work/proj/\u00e9cole/notes.md'), /read-only/],
  ['read-only folder, NFD of the other case', ...write('/work/proj/e\u0301cole/x'), /read-only/],
  ['read-only folder, NFD, read-only tool', ...read('/work/proj/cafe\u0301/menu.md'), 'allow'],
  ['deny glob, ß as ss', ...read('/work/proj/STRASSE/x'), /deny glob "\*\*\/stra\u00dfe\/\*\*"/],
  ['deny glob, ß', ...read('/work/proj/a/Stra\u00dfe/x'), /deny glob/],
  ['deny glob, NFD .env sibling name', ...read('/work/proj/secrets/key'), /deny glob/],
  [
    'deny glob, newline in a folder name',
    ...read('/work/proj/a\nb/.env'),
    /deny glob "\*\*\/\.env"/,
  ],
  ['deny glob, CR and U+2028 names', ...read('/work/proj/\r/\u2028/.env'), /deny glob/],
  ['anchored deny glob, newline below', ...read('/work/proj/secrets/a\nb/key'), /deny glob/],
  ['a writable sibling of the read-only folder', ...write('/work/proj/cafe/menu.md'), 'allow'],
];

for (const [name, tool, args, expected] of cases) {
  void test(`paths differentials: ${name} → ${expected === 'allow' ? 'allowed' : 'denied'}`, () => {
    const outcome = decide(message('tools/call', { name: tool, arguments: args }));
    if (expected === 'allow') assert.equal(outcome, 'allow');
    else assert.match(outcome, expected);
  });
}

void test('paths differentials: resources/read recognises every URI reading of a file: URI', () => {
  const table: [uri: string, expected: 'allow' | RegExp][] = [
    ['fi\tle:///etc/passwd', OUT],
    ['\u0000file:///etc/passwd', /NUL byte/],
    ['\u0001file:///etc/passwd', OUT],
    ['file:///etc/pass\nwd ', OUT],
    ['FILE:\\\\\\etc\\passwd', /UNC path without a share/],
    ['FILE:///etc\\passwd', OUT],
    ['FILE:/\\etc\\passwd', /another host \(etc\)/],
    ['file:///work/proj/x?/../../../etc/passwd', OUT],
    ['fi\tle:///work/proj/src/main.ts', 'allow'],
    ['demo://x', 'allow'],
    ['demo:fi\tle:///etc/passwd', 'allow'],
  ];
  for (const [uri, expected] of table) {
    const outcome = decide(message('resources/read', { uri }));
    if (expected === 'allow') assert.equal(outcome, 'allow', JSON.stringify(uri));
    else assert.match(outcome, expected, JSON.stringify(uri));
  }
});

void test('readingsOf and fileUriReading: what trimming and URL parsing make of a string', () => {
  assert.deepEqual(readingsOf('/a'), ['/a']);
  assert.deepEqual(readingsOf(' /a\n'), [' /a\n', '/a']);
  assert.deepEqual(readingsOf('\u001c/a'), ['\u001c/a', '/a']);
  assert.deepEqual(readingsOf('\u0001fi\tle:/a'), ['\u0001fi\tle:/a', 'fi\tle:/a', 'file:/a']);
  assert.equal(fileUriReading('f\ni\tl\re:x'), 'file:x');
  assert.equal(fileUriReading(' \u0000 file:x \u001f'), 'file:x');
  assert.equal(fileUriReading('\u00a0file:x'), undefined, 'URL parsers strip C0 and space only');
  assert.equal(fileUriReading('files:x'), undefined);
  assert.equal(isPathCandidate('fi\tle:x', 'posix'), true);
  assert.equal(isPathCandidate('\u001c/etc', 'posix'), true);
  assert.equal(isPathCandidate('\u001c~', 'win32'), true);
  assert.equal(isPathCandidate('\u0001relative', 'posix'), false);
});
