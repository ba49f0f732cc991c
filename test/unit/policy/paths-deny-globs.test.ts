/** `paths.deny` globs on absolute paths: anchored or at any depth, folders deny their contents. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileDenyGlobs } from '../../../src/policy/paths/deny-globs.js';

void test('deny globs: what each glob denies on a POSIX host', () => {
  const table: [glob: string, path: string, denied: boolean][] = [
    ['**/.env', '/work/proj/.env', true],
    ['**/.env', '/.env', true],
    ['**/.env', '/work/proj/.env.local', false],
    ['**/.env', '/work/proj/x.env', false],
    ['**/.env', '/work/.hidden/deeper/.env', true],
    ['.env', '/work/proj/.env', true],
    ['.env*', '/work/proj/.env.production', true],
    ['**/.env.*', '/work/proj/.env.local', true],
    ['**/.env.*', '/work/proj/.env', false],
    ['id_*', '/home/me/.ssh/id_ed25519', true],
    ['id_*', '/home/me/.ssh/known_hosts', false],
    ['.ssh', '/home/me/.ssh/config', true],
    ['.ssh/', '/home/me/.ssh', true],
    ['/home/me/.ssh/**', '/home/me/.ssh/id_rsa', true],
    ['/home/me/.ssh/**', '/home/me/.ssh', true],
    ['/home/me/.ssh/**', '/home/me/.sshx/id_rsa', false],
    ['/home/me/.ssh', '/home/me/.ssh/deep/key', true],
    ['/home/me/.ssh', '/home/other/.ssh/key', false],
    ['*.pem', '/work/proj/certs/server.pem', true],
    ['secrets/*.json', '/work/proj/secrets/a.json', true],
    ['secrets/*.json', '/work/proj/notsecrets/a.json', false],
    ['**/node_modules/**', '/work/proj/node_modules/x/index.js', true],
    ['**/.env', 'C:\\Work\\.env', true],
  ];
  for (const [glob, path, denied] of table) {
    const match = compileDenyGlobs([glob], 'posix').match(path);
    assert.equal(match, denied ? glob : undefined, `${glob} on ${path}`);
  }
});

void test('deny globs: any case, Unicode NFC, Windows globs written with \\', () => {
  const globs = compileDenyGlobs(['**/.env', '**/caf\u00e9', '/Home/Me/.SSH'], 'posix');
  assert.equal(globs.match('/w/.ENV'), '**/.env');
  assert.equal(globs.match('/w/.Env.local'), undefined);
  assert.equal(globs.match('/home/me/.ssh/id_rsa'), '/Home/Me/.SSH');
  assert.equal(globs.match('/w/CAF\u00c9'), '**/caf\u00e9', 'upper-case É');
  assert.equal(globs.match('/w/cafe\u0301/x'), '**/caf\u00e9', 'a decomposed é');
  const windows = compileDenyGlobs(['C:\\Users\\me\\.ssh\\**', 'secrets\\*.key'], 'win32');
  assert.equal(windows.match('C:\\Users\\me\\.ssh\\id_rsa'), 'C:\\Users\\me\\.ssh\\**');
  assert.equal(windows.match('C:\\Work\\secrets\\a.key'), 'secrets\\*.key');
  assert.equal(windows.match('C:\\Work\\public\\a.key'), undefined);
  assert.equal(compileDenyGlobs([], 'posix').match('/anything'), undefined);
});

void test('deny globs: the first matching glob is the one reported', () => {
  const globs = compileDenyGlobs(['*.txt', '**/secret/**'], 'posix');
  assert.equal(globs.match('/w/secret/a.txt'), '*.txt');
  assert.equal(globs.match('/w/secret/a.bin'), '**/secret/**');
});

void test('deny globs: line breaks in names, every Unicode spelling and case', () => {
  const table: [glob: string, path: string, denied: boolean][] = [
    ['**/.env', '/w/a\nb/.env', true],
    ['**/.env', '/w/\r/\u2028/\u2029/.env', true],
    ['/w/secrets/**', '/w/secrets/a\nb/key', true],
    ['/w/*/key', '/w/a\nb/key', true],
    ['/w/?/key', '/w/\n/key', true],
    ['**/.env', '/w/.env\n', false],
    ['**/caf\u00e9/**', '/w/CAFE\u0301/x', true],
    ['**/cafe\u0301/**', '/w/caf\u00c9/x', true],
    ['**/stra\u00dfe', '/w/STRASSE', true],
    ['**/strasse', '/w/Stra\u00dfe', true],
    ['**/\u212Aey', '/w/key', true],
    ['**/key', '/w/\u212Aey', true],
    ['**/\u00e9cole/**', '/w/\u00c9COLE/x', true],
    ['**/ecole/**', '/w/\u00e9cole/x', false],
  ];
  for (const [glob, path, denied] of table) {
    const match = compileDenyGlobs([glob], 'posix').match(path);
    assert.equal(match, denied ? glob : undefined, `${glob} on ${JSON.stringify(path)}`);
  }
});
