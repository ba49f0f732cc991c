import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWithin } from '../../../src/policy/paths/within.js';

test('isWithin compares whole segments', () => {
  const cases: [string, string, boolean][] = [
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/a-evil', '/a', false],
    ['/ab', '/a', false],
    ['/a', '/a/b', false],
    ['/x', '/', true],
    ['/', '/', true],
    ['/allowed/x', '/allowed/', true],
    ['/allowed-evil/x', '/allowed/', false],
  ];
  for (const [path, dir, expected] of cases) {
    assert.equal(isWithin(path, dir), expected, `${path} in ${dir}`);
  }
});

test('isWithin with the Windows separator: drive roots and prefix collisions', () => {
  const cases: [string, string, boolean][] = [
    ['C:\\work\\a', 'C:\\work', true],
    ['C:\\work', 'C:\\work', true],
    ['C:\\work-evil\\a', 'C:\\work', false],
    ['C:\\workx', 'C:\\work', false],
    ['C:\\any', 'C:\\', true],
    ['D:\\work', 'C:\\', false],
    ['C:/work/a', 'C:\\work', false],
  ];
  for (const [path, dir, expected] of cases) {
    assert.equal(isWithin(path, dir, '\\'), expected, `${path} in ${dir}`);
  }
});
