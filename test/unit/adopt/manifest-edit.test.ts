import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addServers } from '../../../src/adopt/manifest-edit.js';
import { starterFor } from '../../../src/config/starter.js';
import { GuardError } from '../../../src/errors.js';

const NEW = { n: { command: 'x', args: ['a', 'b'], env: { K: '${env:K}' } } };
const BLOCK = (indent: string) =>
  `${indent}n:\n${indent}  command: x\n${indent}  args: [a, b]\n${indent}  env:\n${indent}    K: \${env:K}\n`;

const CASES: [string, string, string][] = [
  [
    'after the last server, before a trailing comment; comments kept',
    '# top\nversion: 1\nservers:\n  a:\n    command: y # c\n# trailing\n',
    `# top\nversion: 1\nservers:\n  a:\n    command: y # c\n${BLOCK('  ')}# trailing\n`,
  ],
  [
    "at the servers' own indentation, before the next key",
    'version: 1\nservers:\n    a: {command: y}\naudit:\n  file: x\n',
    `version: 1\nservers:\n    a: {command: y}\n${BLOCK('    ')}audit:\n  file: x\n`,
  ],
  [
    'a file without a final newline',
    'version: 1\nservers:\n  a:\n    command: y',
    `version: 1\nservers:\n  a:\n    command: y\n${BLOCK('  ')}`,
  ],
  ['an empty flow mapping', 'version: 1\nservers: {}\n', `version: 1\nservers:\n${BLOCK('  ')}`],
  [
    'the starter init writes',
    starterFor('strict', '/nonexistent'),
    starterFor('strict', '/nonexistent').replace('servers: {}\n', `servers:\n${BLOCK('  ')}`),
  ],
];

for (const [label, before, after] of CASES) {
  test(`addServers: ${label}`, () => {
    const result = addServers('m.yaml', before, NEW);
    assert.equal(result.text, after);
    assert.deepEqual(result.added, ['n']);
  });
}

test('addServers: a server of that name already there is left as it is', () => {
  const text = 'version: 1\nservers:\n  n:\n    command: mine\n';
  assert.deepEqual(addServers('m.yaml', text, NEW), { text, added: [], kept: ['n'] });
});

test('addServers: servers that is not a mapping is a configuration error naming the file', () => {
  assert.throws(
    () => addServers('m.yaml', 'version: 1\nservers: [a]\n', NEW),
    (err: GuardError) => err.code === 'ERR_CONFIG_INVALID' && err.message.startsWith('m.yaml:'),
  );
});
