import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bearerMatches, loadOrCreateToken, tokenFile } from '../../../src/http/token.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('the first use makes a 0600 token; later uses read the same one', (t) => {
  const dir = tempDir(t);
  const first = loadOrCreateToken(dir);
  assert.equal(first.created, true);
  assert.equal(first.file, tokenFile(dir));
  assert.match(first.value, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(statSync(first.file).mode & 0o777, 0o600);
  assert.equal(readFileSync(first.file, 'utf8'), `${first.value}\n`);
  const again = loadOrCreateToken(dir);
  assert.deepEqual(again, { ...first, created: false });
  assert.deepEqual(readdirSync(dir), ['token'], 'no temporary file is left');
});

test('two folders get two different tokens', (t) => {
  assert.notEqual(loadOrCreateToken(tempDir(t)).value, loadOrCreateToken(tempDir(t)).value);
});

test('a token file others may read is refused, not used or replaced', (t) => {
  const dir = tempDir(t);
  const { file, value } = loadOrCreateToken(dir);
  chmodSync(file, 0o644);
  assert.throws(
    () => loadOrCreateToken(dir),
    (err: Error & { code?: string }) =>
      err.code === 'ERR_TOKEN' && /may be read by other users \(mode 644\)/.test(err.message),
  );
  assert.equal(readFileSync(file, 'utf8'), `${value}\n`);
  // Windows has no mode bits: the same file is used there.
  assert.equal(loadOrCreateToken(dir, 'win32').value, value);
});

test('a token file that holds no token is refused', (t) => {
  for (const text of ['', 'short\n', 'has spaces in it and is long enough to pass the size\n']) {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'token'), text, { mode: 0o600 });
    assert.throws(() => loadOrCreateToken(dir), /holds no token/, JSON.stringify(text));
  }
});

test('a folder that cannot hold the token says so', (t) => {
  const dir = join(tempDir(t), 'missing');
  assert.throws(() => loadOrCreateToken(dir), /could not write the token/);
});

test('bearerMatches accepts exactly "Bearer <token>"', () => {
  const token = 'x'.repeat(43);
  const cases: [string | undefined, boolean][] = [
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`BEARER  ${token} `, true],
    [undefined, false],
    ['', false],
    [token, false],
    [`Basic ${token}`, false],
    [`Bearer ${token}y`, false],
    [`Bearer ${token.slice(1)}`, false],
    [`Bearer ${token} extra`, false],
    ['Bearer ', false],
  ];
  for (const [header, expected] of cases) {
    assert.equal(bearerMatches(token, header), expected, JSON.stringify(header));
  }
});
