import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseSize } from '../../../src/config/load.js';

const durations: [string | number, number | undefined][] = [
  ['250ms', 250],
  ['5s', 5_000],
  ['10m', 600_000],
  ['1h', 3_600_000],
  ['0ms', 0],
  ['0', 0],
  ['1500', 1_500],
  [1500, 1_500],
  [0, 0],
  ['007s', 7_000],
  [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ['9007199254740992', undefined],
  ['2501999792983h', undefined], // overflows safe integers once multiplied
  [Number.MAX_SAFE_INTEGER + 1, undefined],
  [-1, undefined],
  [1.5, undefined],
  [Number.NaN, undefined],
  [Number.POSITIVE_INFINITY, undefined],
  ['-5s', undefined],
  ['1.5s', undefined],
  ['5 s', undefined],
  [' 5s', undefined],
  ['5S', undefined],
  ['5sec', undefined],
  ['1d', undefined],
  ['ms', undefined],
  ['', undefined],
  ['1e3', undefined],
];

for (const [input, expected] of durations) {
  void test(`parseDuration(${JSON.stringify(input)}) is ${String(expected)}`, () => {
    assert.equal(parseDuration(input), expected);
  });
}

const sizes: [string | number, number | undefined][] = [
  ['512KiB', 512 * 1024],
  ['8MiB', 8 * 1024 * 1024],
  ['1GiB', 1024 ** 3],
  ['1B', 1],
  ['100', 100],
  [100, 100],
  ['0', 0],
  [0, 0],
  ['8388608', 8_388_608],
  ['8796093022207KiB', 8_796_093_022_207 * 1024], // the largest KiB count that stays safe
  ['8796093022208KiB', undefined],
  ['8MB', undefined],
  ['8mib', undefined],
  ['8 MiB', undefined],
  ['1.5MiB', undefined],
  ['-1', undefined],
  [-1, undefined],
  [0.5, undefined],
  ['KiB', undefined],
  ['', undefined],
];

for (const [input, expected] of sizes) {
  void test(`parseSize(${JSON.stringify(input)}) is ${String(expected)}`, () => {
    assert.equal(parseSize(input), expected);
  });
}
