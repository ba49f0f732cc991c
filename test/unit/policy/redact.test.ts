import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CUSTOM_MARKER, createRedactor } from '../../../src/policy/output/redact.js';
import { BUILTIN_NAMES } from '../../../src/policy/output/redact-patterns.js';

const AWS_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const GH = `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`;
const PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc==\n-----END RSA PRIVATE KEY-----';

const cases: [string, string, string, string][] = [
  ['aws', 'an access key id', `key ${AWS_ID} here`, 'key [REDACTED:aws] here'],
  ['aws', 'text glued in front does not hide a key id', `id=key${AWS_ID}`, 'id=key[REDACTED:aws]'],
  ['aws', 'a temporary key id', 'ASIAY34FZKBOKMUTVV7A', '[REDACTED:aws]'],
  [
    'aws',
    'a secret key after its name (the name stays)',
    `aws_secret_access_key = ${AWS_SECRET}`,
    'aws_secret_access_key = [REDACTED:aws]',
  ],
  [
    'aws',
    'a secret key in JSON',
    `{"AWS_SECRET_ACCESS_KEY": "${AWS_SECRET}"}`,
    '{"AWS_SECRET_ACCESS_KEY": "[REDACTED:aws]"}',
  ],
  ['aws', 'a longer run of capitals is not a key id', `X${AWS_ID}X`, `X${AWS_ID}X`],
  ['github', 'a personal access token', `token: ${GH}`, 'token: [REDACTED:github]'],
  [
    'github',
    'a fine-grained token',
    `github_pat_${'A'.repeat(22)}_${'b'.repeat(59)}`,
    '[REDACTED:github]',
  ],
  [
    'github',
    'an underscore after a token ends it (its characters are letters and digits)',
    `${GH}_old and ${GH}_`,
    '[REDACTED:github]_old and [REDACTED:github]_',
  ],
  ['github', 'too short to be a token', 'ghp_short', 'ghp_short'],
  [
    'private-key',
    'a PEM block, whole',
    `before\n${PEM}\nafter`,
    'before\n[REDACTED:private-key]\nafter',
  ],
  [
    'private-key',
    'an OpenSSH key',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----',
    '[REDACTED:private-key]',
  ],
  [
    'private-key',
    'a block cut short: redacted to the end',
    'x\n-----BEGIN PRIVATE KEY-----\nMIIE',
    'x\n[REDACTED:private-key]',
  ],
  [
    'private-key',
    'a public key is not a secret',
    '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----',
    '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----',
  ],
  [
    'bearer',
    'an Authorization header (the scheme stays)',
    'Authorization: Bearer eyJhbGciOi.JIUzI1NiJ9.abc123',
    'Authorization: Bearer [REDACTED:bearer]',
  ],
  ['bearer', 'any case', 'BEARER 0123456789abcdefXYZ', 'BEARER [REDACTED:bearer]'],
  [
    'bearer',
    'prose is left alone',
    'send a Bearer token in the Authorization header',
    'send a Bearer token in the Authorization header',
  ],
  ['slack', 'a bot token', 'xoxb-123456789012-1234567890123-AbCdEf', '[REDACTED:slack]'],
  [
    'slack',
    'a webhook URL',
    'post to https://hooks.slack.com/services/T000/B000/XXXX now',
    'post to [REDACTED:slack] now',
  ],
  ['google', 'an API key', `key=AIza${'S'.repeat(35)}`, 'key=[REDACTED:google]'],
  ['stripe', 'a live secret key', `sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`, '[REDACTED:stripe]'],
  [
    'npm',
    'an access token',
    `//registry.npmjs.org/:_authToken=npm_${'a'.repeat(36)}`,
    '//registry.npmjs.org/:_authToken=[REDACTED:npm]',
  ],
];

for (const [name, what, input, output] of cases) {
  void test(`redact ${name}: ${what}`, () => {
    assert.equal(createRedactor([name])!(input), output);
  });
}

void test('only the named patterns apply', () => {
  const redact = createRedactor(['github'])!;
  assert.equal(redact(`${AWS_ID} ${GH}`), `${AWS_ID} [REDACTED:github]`);
});

void test('every built-in together, several secrets in one text', () => {
  const redact = createRedactor(BUILTIN_NAMES)!;
  assert.equal(
    redact(`a ${AWS_ID} b ${GH} c Bearer abcdefgh12345678 d`),
    'a [REDACTED:aws] b [REDACTED:github] c Bearer [REDACTED:bearer] d',
  );
});

void test("the manifest's own regular expressions, with their own groups and the plain marker", () => {
  const redact = createRedactor(['aws', 'sk-[A-Za-z0-9]{20,}', '(ab)\\1'])!;
  assert.equal(
    redact(`x sk-${'Z'.repeat(24)} y abab z ${AWS_ID}`),
    `x ${CUSTOM_MARKER} y ${CUSTOM_MARKER} z [REDACTED:aws]`,
  );
  assert.equal(redact('nothing here'), 'nothing here');
});

void test('nothing to redact: no redactor; unchanged text is the same string', () => {
  assert.equal(createRedactor([]), undefined);
  const text = 'plain'.repeat(100);
  assert.equal(createRedactor(['aws'])!(text), text);
});
