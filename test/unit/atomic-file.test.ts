import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/atomic-file.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('writeFileAtomic creates and replaces a file, leaving no temporary file', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'state.json');
  writeFileAtomic(file, 'one\n', { mode: 0o600 });
  assert.equal(statSync(file).mode & 0o777, 0o600);
  writeFileAtomic(file, 'two\n', { mode: 0o600 });
  assert.equal(readFileSync(file, 'utf8'), 'two\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['state.json']);
});

test('writeFileAtomic writes through the temporary file it is given', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'files.42.json');
  writeFileAtomic(file, '{}\n', { temporary: `${file}.tmp` });
  assert.deepEqual(readdirSync(dir), ['files.42.json']);
});

test('a failed replace throws, keeps the old target and removes its temporary file', (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'taken');
  mkdirSync(join(target, 'inside'), { recursive: true });
  assert.throws(() => writeFileAtomic(target, 'text'));
  assert.deepEqual(readdirSync(dir), ['taken']);
  assert.equal(statSync(target).isDirectory(), true);
});
