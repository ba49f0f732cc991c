/** Which strings in a request's arguments are paths, and how their place is named. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameKind } from '../../../src/policy/paths/argument-names.js';
import { findPathArguments } from '../../../src/policy/paths/find-path-arguments.js';
import { isPathCandidate } from '../../../src/policy/paths/path-candidate.js';

void test('nameKind: path-like, text and other property names', () => {
  const table: [name: string, kind: 'path' | 'text' | 'free'][] = [
    ['path', 'path'],
    ['paths', 'path'],
    ['filePath', 'path'],
    ['file_path', 'path'],
    ['FILE-PATH', 'path'],
    ['URLPath', 'path'],
    ['fileName', 'path'],
    ['dir', 'path'],
    ['directory', 'path'],
    ['outputDir', 'path'],
    ['source', 'path'],
    ['destination', 'path'],
    ['dest_folder', 'path'],
    ['root', 'path'],
    ['cwd', 'path'],
    ['target', 'path'],
    ['files', 'path'],
    ['content', 'text'],
    ['fileContent', 'text'],
    ['oldText', 'text'],
    ['newText', 'text'],
    ['excludePatterns', 'text'],
    ['pattern', 'text'],
    ['query', 'text'],
    ['sourceCode', 'text'],
    ['message', 'text'],
    ['name', 'free'],
    ['uri', 'free'],
    ['url', 'free'],
    ['head', 'free'],
    ['profile', 'free'],
    ['sortBy', 'free'],
    ['', 'free'],
  ];
  for (const [name, kind] of table) assert.equal(nameKind(name), kind, name);
  // Remembered: asked again, past the bound of remembered names too, each name keeps its kind.
  for (let i = 0; i < 2500; i++) assert.equal(nameKind(`arg${i}Path`), 'path');
  for (const [name, kind] of table) assert.equal(nameKind(name), kind, name);
  const long = `${'x'.repeat(80)}FilePath`;
  assert.equal(nameKind(long), 'path');
  assert.equal(nameKind(long), 'path');
});

void test('isPathCandidate: one line that is absolute, ~ or ~/, or a file: URI', () => {
  const table: [value: string, posix: boolean, win32: boolean][] = [
    ['/etc/passwd', true, true],
    ['  /etc/passwd \n', true, true],
    ['//server/x', true, true],
    ['~', true, true],
    ['~/x', true, true],
    ['~\\x', false, true],
    ['~user/x', false, false],
    ['~ approx', false, false],
    ['file:///x', true, true],
    ['FILE:x', true, true],
    ['C:\\x', true, true],
    ['c:/x', true, true],
    ['\\\\?\\C:\\x', true, true],
    ['\\\\server\\share', true, true],
    ['\\d+', false, false],
    ['C:', false, false],
    ['relative/path', false, false],
    ['see /etc/passwd', false, false],
    ['/* a\n * comment */', false, false],
    ['https://example.com/', false, false],
    ['', false, false],
  ];
  for (const [value, posix, win32] of table) {
    assert.equal(isPathCandidate(value, 'posix'), posix, `posix ${JSON.stringify(value)}`);
    assert.equal(isPathCandidate(value, 'win32'), win32, `win32 ${JSON.stringify(value)}`);
  }
});

void test('findPathArguments: every path, in document order, with where it is', () => {
  const args = {
    path: 'a.txt',
    paths: ['b', { file: 'c', size: 3 }],
    options: { recursive: true, output: { dir: 'd' }, label: '/abs/label' },
    content: '/not/a/path',
    edits: [{ oldText: '/x', newText: '/y', target: 'e' }],
    'odd key': '~/f',
    nested: [[['/g']]],
    count: 4,
    where: 'h',
    notes: ['/i'],
  };
  const found = findPathArguments(args, new Set(['where']), 'posix');
  assert.deepEqual(
    found.map((argument) => [argument.pointer(), argument.value]),
    [
      ['path', 'a.txt'],
      ['paths[0]', 'b'],
      ['paths[1].file', 'c'],
      ['options.output.dir', 'd'],
      ['options.label', '/abs/label'],
      ['edits[0].target', 'e'],
      ['["odd key"]', '~/f'],
      ['nested[0][0][0]', '/g'],
      ['where', 'h'],
    ],
  );
});

void test('findPathArguments: no arguments, odd shapes and deep nesting', () => {
  assert.deepEqual(findPathArguments(undefined, new Set(), 'posix'), []);
  assert.deepEqual(findPathArguments(42, new Set(), 'posix'), []);
  const top = findPathArguments('/etc/passwd', new Set(), 'posix');
  assert.deepEqual(
    top.map((argument) => [argument.pointer(), argument.value]),
    [['(arguments)', '/etc/passwd']],
  );
  // Far deeper than the call stack allows for a recursive walk.
  let deep: unknown = { path: '/deep' };
  for (let level = 0; level < 200_000; level += 1) deep = [deep];
  const found = findPathArguments({ x: deep }, new Set(), 'posix');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.value, '/deep');
  assert.match(found[0]?.pointer() ?? '', /^x(\[0\]){200000}\.path$/);
});
