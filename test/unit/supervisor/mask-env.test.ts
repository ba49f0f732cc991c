import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskEnvValues } from '../../../src/supervisor/mask-env.js';

test('environment values in arguments are written back as ${env:NAME}', () => {
  const host = {
    GITHUB_TOKEN: 'ghp_abcdefghijklmnop',
    HOME: '/home/me',
    PWD: '/home/me/project',
    SHORT: 'on',
    API_URL: 'https://api.example.test',
  };
  const cases: [string[], string[]][] = [
    [
      ['--token', 'ghp_abcdefghijklmnop'],
      ['--token', '${env:GITHUB_TOKEN}'],
    ],
    [['--auth=Bearer ghp_abcdefghijklmnop'], ['--auth=Bearer ${env:GITHUB_TOKEN}']],
    [['/home/me/project/server.js'], ['/home/me/project/server.js']],
    [
      ['--verbose', 'on'],
      ['--verbose', 'on'],
    ],
    [
      ['--url', 'https://api.example.test/v1'],
      ['--url', '${env:API_URL}/v1'],
    ],
    [['s3cr3t-value-from-env-map'], ['${env:DB_PASSWORD}']],
  ];
  for (const [args, want] of cases) {
    assert.deepEqual(
      maskEnvValues(args, { DB_PASSWORD: 's3cr3t-value-from-env-map' }, host),
      want,
      args.join(' '),
    );
  }
});

test('the longest value is masked first', () => {
  const out = maskEnvValues(['abcdefgh-ijkl'], {}, { A: 'abcdefgh', B: 'abcdefgh-ijkl' });
  assert.deepEqual(out, ['${env:B}']);
});
