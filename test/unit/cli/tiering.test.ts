import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { tieringFlags } from '../../../src/cli/tiering.js';

test('the tier-up flags are set only on V8 11 (Node 20), the engine they were measured on', () => {
  const table: [string, string | undefined][] = [
    ['11.3.244.8-node.33', '--interrupt-budget=4096'],
    ['11.0.0', '--interrupt-budget=4096'],
    ['12.4.254.21-node.33', undefined],
    ['13.6.233.17-node.27', undefined],
    ['110.1.0', undefined],
    ['1.1', undefined],
    ['', undefined],
  ];
  for (const [version, flags] of table) assert.equal(tieringFlags(version), flags, version);
});

/** What this Node says on stderr when its V8 is handed these flags at run time. */
const complaint = (flags: string): string =>
  spawnSync(
    process.execPath,
    ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flags)})`],
    { encoding: 'utf8' },
  ).stderr;

test("this Node's engine knows the flags chosen for it (an unknown flag is an error on stderr)", () => {
  // The probe can fail: a flag the engine does not know is reported.
  assert.match(complaint('--no-such-flag-for-mcp-guard=1'), /unrecognized flag/);
  const flags = tieringFlags(process.versions.v8);
  if (flags === undefined) {
    assert.notEqual(process.versions.v8.split('.')[0], '11');
    return;
  }
  assert.equal(complaint(flags), '');
});
