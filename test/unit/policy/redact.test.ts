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

void test('encoded secrets at the shortest run looked into (16 characters) are found; 15 are not runs', () => {
  // 12 bytes: 16 characters of base64; 8 bytes: 16 hex digits.
  const redact = createRedactor(['internal-[0-9]{3}', 'pw-[0-9]{5}'])!;
  const base64 = Buffer.from('internal-123').toString('base64');
  const hex = Buffer.from('pw-12345').toString('hex');
  assert.equal(base64.length, 16);
  assert.equal(hex.length, 16);
  for (const encoded of [base64, hex, `say ${base64}.`, `${hex} and more`]) {
    assert.deepEqual(
      redact.find(encoded).map((span) => encoded.slice(span.start, span.end)),
      [encoded.trim().replace(/^say |\.$| and more$/g, '')],
      encoded,
    );
  }
  // One character shorter is no run: its decoding is not looked into (nor could it hold these).
  for (const short of [base64.slice(0, 15), hex.slice(0, 15), 'internal-12', 'abc']) {
    assert.deepEqual(redact.find(short), [], short);
  }
  // Plain secrets in short texts are still found.
  assert.deepEqual(redact.find('internal-999'), [{ start: 0, end: 12, marker: CUSTOM_MARKER }]);
});

void test('remembered finds: the same short text gives the same spans every time, each caller its own copy', () => {
  const redact = createRedactor(['github', 'internal-[0-9]{3}'])!;
  const key = 'internal-123';
  const first = redact.find(key);
  assert.deepEqual(first, [{ start: 0, end: 12, marker: CUSTOM_MARKER }]);
  first[0]!.end = 1;
  first.push({ start: 0, end: 1, marker: 'x' });
  // What a caller did to its list does not reach the next caller.
  assert.deepEqual(redact.find(key), [{ start: 0, end: 12, marker: CUSTOM_MARKER }]);
  assert.equal(redact(key), CUSTOM_MARKER);
  // Past the bound of remembered texts: every text still found, the first again too.
  for (let i = 0; i < 3000; i++) assert.deepEqual(redact.find(`text-${i}`), []);
  assert.equal(redact(key), CUSTOM_MARKER);
  assert.equal(redact(`a ${key} b`), `a ${CUSTOM_MARKER} b`);
  // Longer texts than are remembered are looked at each time.
  const long = `${'y'.repeat(70)} internal-456`;
  assert.equal(redact(long), `${'y'.repeat(70)} ${CUSTOM_MARKER}`);
  assert.equal(redact(long), `${'y'.repeat(70)} ${CUSTOM_MARKER}`);
});
