import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeVariables,
  expandVariables,
  type VariableScope,
} from '../../../src/config/variables.js';

const scope: VariableScope = {
  workspaceFolder: '/work/project',
  userHome: '/home/ada',
  env: (name) => ({ TOKEN: 'secret', EMPTY: '' })[name],
};

const expansions: [string, string][] = [
  ['plain text', 'plain text'],
  ['${workspaceFolder}', '/work/project'],
  ['${workspaceFolder}/src', '/work/project/src'],
  ['${userHome}/.ssh/**', '/home/ada/.ssh/**'],
  ['Bearer ${env:TOKEN}', 'Bearer secret'],
  ['[${env:EMPTY}]', '[]'], // set but empty is not unset
  ['${userHome}:${workspaceFolder}', '/home/ada:/work/project'],
  ['cost: $5', 'cost: $5'],
  ['$', '$'],
  ['$$', '$$'],
  ['$${workspaceFolder}', '${workspaceFolder}'],
  ['a$$${userHome}', 'a$${userHome}'], // `$` then the escape `$${`
  ['^\\$\\{', '^\\$\\{'],
];

for (const [input, expected] of expansions) {
  void test(`expands ${JSON.stringify(input)}`, () => {
    assert.deepEqual(expandVariables(input, scope), { ok: true, value: expected });
  });
}

const failures: [string, string[]][] = [
  ['${env:MISSING}', ['environment variable MISSING is not set (used as ${env:MISSING})']],
  [
    '${env:A}-${env:B}',
    [
      'environment variable A is not set (used as ${env:A})',
      'environment variable B is not set (used as ${env:B})',
    ],
  ],
  [
    '${workspace}',
    [
      'unknown variable ${workspace} (expected ${workspaceFolder}, ${userHome} or ${env:NAME}; write $${ for a literal ${)',
    ],
  ],
  [
    '${env:}',
    [
      'unknown variable ${env:} (expected ${workspaceFolder}, ${userHome} or ${env:NAME}; write $${ for a literal ${)',
    ],
  ],
  ['${userHome', ["'${' without a closing '}' (write $${ for a literal ${)"]],
];

for (const [input, problems] of failures) {
  void test(`reports ${JSON.stringify(input)}`, () => {
    assert.deepEqual(expandVariables(input, scope), { ok: false, problems });
  });
}

void test('escaped text expands back to itself', () => {
  for (const text of ['${x}', 'a$${b', '$', '$$', '${workspaceFolder}/${env:TOKEN}', 'plain']) {
    assert.deepEqual(expandVariables(escapeVariables(text), scope), { ok: true, value: text });
  }
});
