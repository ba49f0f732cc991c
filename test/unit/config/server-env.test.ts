import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envNameProblem, serverEnv, withPassedEnv } from '../../../src/config/server-env.js';

void test('envNameProblem: a name is fine; a value, an empty name or a NUL is not', () => {
  assert.equal(envNameProblem('GITHUB_TOKEN'), undefined);
  assert.equal(envNameProblem('ProgramFiles(x86)'), undefined);
  assert.match(envNameProblem('TOKEN=abc123') ?? '', /^'TOKEN=…' gives a value; .*\(TOKEN\)/);
  assert.ok(!(envNameProblem('TOKEN=abc123') ?? '').includes('abc123'));
  assert.match(envNameProblem('=x') ?? '', /\(NAME\)/);
  assert.match(envNameProblem('') ?? '', /empty/);
  assert.match(envNameProblem('A\0B') ?? '', /NUL/);
});

void test('withPassedEnv adds names once, after the inherited ones, and serverEnv reads them', () => {
  const server = { inheritEnv: ['HOME', 'PATH'], env: { LEVEL: 'info' } };
  assert.equal(withPassedEnv(server, []), server);
  const passed = withPassedEnv(server, ['TOKEN', 'PATH', 'TOKEN']);
  assert.deepEqual(passed.inheritEnv, ['HOME', 'PATH', 'TOKEN']);
  assert.deepEqual(server.inheritEnv, ['HOME', 'PATH'], 'the original is unchanged');
  const host = { HOME: '/h', PATH: '/bin', TOKEN: 't0k', OTHER: 'no' };
  assert.deepEqual(serverEnv(passed as never, host, 'linux'), {
    HOME: '/h',
    PATH: '/bin',
    TOKEN: 't0k',
    LEVEL: 'info',
  });
});
