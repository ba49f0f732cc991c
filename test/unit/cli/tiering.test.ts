import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { engineFlags } from '../../../src/cli/tiering.js';

const NODE_20 = {
  hold: '--no-turbofan --no-sparkplug',
  release: '--turbofan --sparkplug',
  sooner: '--interrupt-budget=4096',
};
const NODE_22 = {
  hold: '--no-turbofan --no-sparkplug',
  release: '--turbofan --sparkplug',
  sooner: '',
};
const NODE_24 = {
  hold: '--no-turbofan --no-maglev --no-sparkplug',
  release: '--turbofan --maglev --sparkplug',
  sooner: '',
};

test('the compiler flags are chosen by V8 major version, only for the engines measured', () => {
  const table: [string, object | null][] = [
    ['11.3.244.8-node.33', NODE_20],
    ['12.4.254.21-node.33', NODE_22],
    ['13.6.233.17-node.27', NODE_24],
    ['14.0.1', null],
    ['10.2.154.26-node.26', null],
    ['110.1.0', null],
    ['', null],
  ];
  for (const [version, flags] of table) assert.deepEqual(engineFlags(version, []), flags, version);
});

test("node's own compiler flags leave the engine alone; other options do not", () => {
  for (const option of [
    '--no-opt',
    '--opt',
    '--jitless',
    '--max-lazy',
    '--no-turbofan',
    '--maglev',
    '--sparkplug',
    '--interrupt-budget=100',
    '--invocation-count-for-turbofan=10',
    '--require x.cjs --no-sparkplug',
  ]) {
    assert.equal(engineFlags('11.3.244.8', ['--enable-source-maps', option]), null, option);
  }
  for (const option of [
    '--trace-opt',
    '--max-old-space-size=100',
    '--require ./optional.cjs',
    '',
  ]) {
    assert.deepEqual(engineFlags('11.3.244.8', [option]), NODE_20, option);
  }
});

/** What this Node says on stderr when its V8 is handed these flags at run time. */
const complaint = (flags: string): string =>
  spawnSync(
    process.execPath,
    ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flags)})`],
    { encoding: 'utf8' },
  ).stderr;

test("this Node's engine knows every flag chosen for it (an unknown flag is an error on stderr)", () => {
  // The probe can fail: a flag the engine does not know is reported.
  assert.match(complaint('--no-such-flag-for-mcp-guard=1'), /unrecognized flag/);
  const flags = engineFlags(process.versions.v8, []);
  if (flags === null) {
    assert.ok(!['11', '12', '13'].includes(process.versions.v8.split('.')[0]!));
    return;
  }
  for (const set of [flags.hold, flags.release, flags.sooner])
    assert.equal(complaint(set), '', set);
});
