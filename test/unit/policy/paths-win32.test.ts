/**
 * Windows paths by their own rules, on any host: the injected platform is win32 and the fake
 * filesystem is a case-insensitive Windows tree (drive letters, UNC shares, symlinks). Then
 * normalizeWin32 and fileUriToPath on their own, table-driven.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { fileUriToPath } from '../../../src/policy/paths/file-uri.js';
import { createPathsCheck } from '../../../src/policy/paths/paths-check.js';
import { normalizeWin32 } from '../../../src/policy/paths/win32-path.js';
import { classify, type RpcMessage } from '../../../src/protocol/jsonrpc.js';
import { fakeFs } from './paths-fake-fs.js';

const fs = fakeFs(
  {
    'C:\\Work\\Proj\\src\\main.ts': 'file',
    'C:\\Work\\Proj\\.env': 'file',
    'C:\\Work\\Proj\\out': { link: 'C:\\Windows' },
    'C:\\Work\\Proj-Evil\\x': 'file',
    'C:\\Windows\\win.ini': 'file',
    'C:\\Users\\me\\notes.txt': 'file',
    '\\\\srv\\share\\team\\doc.txt': 'file',
    '\\\\srv\\share\\other\\x': 'file',
    'D:\\data\\x': 'file',
  },
  { flavor: 'win32', ignoreCase: true },
);
const check = createPathsCheck({
  paths: { roots: ['C:\\Work\\Proj', '\\\\srv\\share\\team'], readOnly: [], deny: ['**/.env'] },
  pathArgs: {},
  cwd: 'C:\\Work\\Proj',
  home: 'C:\\Users\\me',
  platform: 'win32',
  fs,
});
const catalog = new ServerCatalog();

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

const cases: [path: string, expected: 'allow' | RegExp][] = [
  ['C:\\Work\\Proj\\src\\main.ts', 'allow'],
  ['c:\\work\\proj\\SRC\\Main.TS', 'allow'],
  ['C:/Work/Proj/src/main.ts', 'allow'],
  ['C:\\Work\\Proj\\', 'allow'],
  ['C:\\Work\\Proj\\new\\file.txt', 'allow'],
  ['\\\\?\\C:\\Work\\Proj\\src\\main.ts', 'allow'],
  ['\\\\.\\c:\\Work\\Proj\\src', 'allow'],
  ['src\\main.ts', 'allow'],
  ['src/main.ts', 'allow'],
  ['C:src\\main.ts', 'allow'],
  ['\\Work\\Proj\\src', 'allow'],
  ['/Work/Proj/src/main.ts', 'allow'],
  ['~\\..\\..\\Work\\Proj\\x', 'allow'],
  ['\\\\srv\\share\\team\\doc.txt', 'allow'],
  ['\\\\SRV\\Share\\TEAM\\doc.txt', 'allow'],
  ['\\\\?\\UNC\\srv\\share\\team\\doc.txt', 'allow'],
  ['//srv/share/team/doc.txt', 'allow'],
  ['file:///C:/Work/Proj/src/main.ts', 'allow'],
  ['file:///c:/Work/Proj/src/m%61in.ts', 'allow'],

  ['C:\\Work\\Proj-Evil\\x', /resolves to C:\\Work\\Proj-Evil\\x, outside the allowed roots/],
  ['C:\\WORK\\PROJ-EVIL', /outside/],
  ['C:\\Work\\Proj\\..\\Proj-Evil\\x', /resolves to C:\\Work\\Proj-Evil\\x/],
  ['c:\\work\\proj\\src\\..\\..\\..\\windows\\win.ini', /resolves to C:\\windows\\win\.ini/],
  ['..\\Proj-Evil\\x', /climbs above/],
  ['C:\\Work\\Proj\\out\\win.ini', /resolves to C:\\Windows\\win\.ini/],
  ['D:\\data\\x', /resolves to D:\\data\\x, outside/],
  ['D:x', /drive other than the working directory's/],
  ['\\\\?\\C:\\Work\\Proj\\..\\..\\Windows', /resolves to C:\\Windows/],
  ['\\\\.\\pipe\\secret', /Windows device path/],
  ['\\\\?\\Volume{0000}\\x', /Windows device path/],
  ['\\??\\C:\\Windows', /resolves to C:\\Windows/],
  ['\\\\srv\\share\\other\\x', /resolves to \\\\srv\\share\\other\\x, outside/],
  ['\\\\srv\\share\\team\\..\\other', /resolves to \\\\srv\\share\\other/],
  ['\\\\srv\\share\\..\\..\\c$\\x', /resolves to \\\\srv\\share\\c\$\\x/],
  ['\\\\srv', /UNC path without a share/],
  ['/Windows/win.ini', /resolves to C:\\Windows\\win\.ini/],
  ['~\\notes.txt', /resolves to C:\\Users\\me\\notes\.txt/],
  ['file:///C:/Windows/win.ini', /resolves to C:\\Windows\\win\.ini/],
  ['file://srv/share/team/doc.txt', /another host \(srv\)/],
  ['C:\\Work\\Proj\\.env', /denied by the paths.deny glob/],
  ['C:\\Work\\Proj\\.ENV', /denied by the paths.deny glob/],
  ['c:/work/proj/src/../.Env', /denied by the paths.deny glob/],
  ['C:\\Work\\Proj\\.env.', /resolves to C:\\Work\\Proj\\\.env, denied/],
  ['C:\\Work\\Proj\\.env . .', /resolves to C:\\Work\\Proj\\\.env, denied/],
  ['C:\\Work\\Proj\\.env::$DATA', /alternate data stream/],
  ['C:\\Work\\Proj\\.. \\Proj-Evil', /only of dots and spaces/],
  ['C:\\Work\\Proj\\...\\x', /only of dots and spaces/],
];

for (const [path, expected] of cases) {
  void test(`win32 paths: ${JSON.stringify(path)} → ${expected === 'allow' ? 'allowed' : 'denied'}`, () => {
    const verdict = check.check(read(path), {
      direction: 'client-to-server',
      server: 's',
      catalog,
    });
    if (expected === 'allow') {
      assert.equal(verdict.action, 'pass', JSON.stringify(verdict));
      return;
    }
    assert.equal(verdict.action, 'deny');
    if (verdict.action === 'deny') assert.match(verdict.reason, expected);
  });
}

void test('normalizeWin32: each Windows spelling to one normal form', () => {
  const table: [value: string, cwd: string, expected: string][] = [
    ['c:\\a\\b', 'C:\\w', 'C:\\a\\b'],
    ['C:/a/b/', 'C:\\w', 'C:\\a\\b'],
    ['C:\\', 'C:\\w', 'C:\\'],
    ['C:\\..\\..', 'C:\\w', 'C:\\'],
    ['C:\\a\\.\\b\\..\\c', 'C:\\w', 'C:\\a\\c'],
    ['\\\\?\\c:\\a', 'C:\\w', 'C:\\a'],
    ['\\\\.\\C:\\a', 'C:\\w', 'C:\\a'],
    ['\\??\\C:\\a', 'C:\\w', 'C:\\a'],
    ['\\\\?\\UNC\\srv\\share\\a', 'C:\\w', '\\\\srv\\share\\a'],
    ['\\\\srv\\share', 'C:\\w', '\\\\srv\\share\\'],
    ['\\\\srv\\share\\..\\x', 'C:\\w', '\\\\srv\\share\\x'],
    ['a\\b', 'C:\\w', 'C:\\w\\a\\b'],
    ['c:a', 'C:\\w', 'C:\\w\\a'],
    ['\\a', 'D:\\w', 'D:\\a'],
    ['\\a', '\\\\srv\\share\\w', '\\\\srv\\share\\a'],
    ['C:\\a. \\b..', 'C:\\w', 'C:\\a\\b'],
  ];
  for (const [value, cwd, expected] of table) {
    assert.deepEqual(normalizeWin32(value, cwd), { ok: true, path: expected }, value);
  }
  const refusedTable: [value: string, reason: RegExp][] = [
    ['\\\\.\\PhysicalDrive0', /device path/],
    ['\\\\.\\C:', /device path/],
    ['\\\\?\\GLOBALROOT\\x', /device path/],
    ['\\\\srv', /without a share/],
    ['\\\\?\\UNC\\srv', /without a share/],
    ['D:a', /drive other/],
    ['C:\\a\\b:stream', /alternate data stream/],
    ['C:\\a\\ ..', /dots and spaces/],
  ];
  for (const [value, reason] of refusedTable) {
    const result = normalizeWin32(value, 'C:\\w');
    assert.equal(result.ok, false, value);
    if (!result.ok) assert.match(result.reason, reason, value);
  }
});

void test('fileUriToPath: local file: URIs decoded for each flavour, others refused', () => {
  const table: [uri: string, flavor: 'posix' | 'win32', expected: string | RegExp][] = [
    ['file:///a/b', 'posix', '/a/b'],
    ['file://localhost/a/b', 'posix', '/a/b'],
    ['file://LOCALHOST/a', 'posix', '/a'],
    ['file:/a', 'posix', '/a'],
    ['file:///a/%2e%2e/b', 'posix', '/b'],
    ['file:///a/..%2F..%2Fb', 'posix', '/a/../../b'],
    ['file:///a%20b/c?q=1#f', 'posix', '/a b/c'],
    ['file:///C:/x', 'posix', '/C:/x'],
    ['file:///C:/x', 'win32', 'C:/x'],
    ['file:///C:', 'win32', 'C:\\'],
    ['file:///x', 'win32', '/x'],
    ['file://host/x', 'posix', /another host \(host\)/],
    ['file://127.0.0.1/x', 'posix', /another host/],
    ['file:///%E0%A4%A', 'posix', /malformed/],
    ['file://[', 'posix', /not a valid file: URI/],
  ];
  for (const [uri, flavor, expected] of table) {
    const result = fileUriToPath(uri, flavor);
    if (typeof expected === 'string') assert.deepEqual(result, { ok: true, path: expected }, uri);
    else {
      assert.equal(result.ok, false, uri);
      if (!result.ok) assert.match(result.reason, expected, uri);
    }
  }
});
