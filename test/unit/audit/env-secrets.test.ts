import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEnvScrubber, ENV_MARKER } from '../../../src/audit/env-secrets.js';

const TOKEN = 'tok-9f8e7d6c5b4a3210';
const scrubber = createEnvScrubber([
  { name: 'API_TOKEN', value: TOKEN },
  { name: 'DEBUG', value: '1' },
  { name: 'MODE', value: 'debug' },
])!;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const hex = (s: string) => Buffer.from(s).toString('hex');

void test('a value is masked as written and in every encoding redaction looks into', () => {
  const cases: [string, string, string][] = [
    ['plain', `key=${TOKEN};`, 'key=${env:API_TOKEN};'],
    ['twice', `${TOKEN} ${TOKEN}`, '${env:API_TOKEN} ${env:API_TOKEN}'],
    ['glued to other text', `x${TOKEN}y`, 'x${env:API_TOKEN}y'],
    ['hex', `h=${hex(TOKEN)}`, `h=${ENV_MARKER}`],
    ['HEX', `h=${hex(TOKEN).toUpperCase()}`, `h=${ENV_MARKER}`],
  ];
  for (const [name, input, want] of cases) assert.equal(scrubber.text(input), want, name);
  // base64 and base64url at each byte alignment: a value inside a longer encoded text.
  for (const before of ['', 'a', 'ab', 'abc']) {
    for (const encode of [b64, b64url]) {
      const encoded = encode(`${before}${TOKEN}!`);
      const out = scrubber.text(`data: ${encoded}`);
      assert.ok(out.includes(ENV_MARKER), `${encode.name} after ${before.length}: ${out}`);
      const decoded = Buffer.from(out.slice(6).replaceAll(ENV_MARKER, ''), 'base64').toString();
      assert.ok(!decoded.includes(TOKEN.slice(2, -2)), `${encode.name}: ${decoded}`);
    }
  }
});

void test('short values are not looked for; text without a value is returned as is', () => {
  for (const text of ['debug mode 1', 'true', '', 'tok-9f8e7d6c5b4a321']) {
    assert.equal(scrubber.text(text), text);
  }
  assert.equal(createEnvScrubber([{ name: 'X', value: '12345' }]), undefined);
  assert.equal(createEnvScrubber([]), undefined);
});

/** The stream's lines after scrubbing. */
function stream(lines: readonly string[]): string[] {
  let carry = '';
  return lines.map((line) => {
    const next = scrubber.stream(carry, line);
    carry = next.carry;
    return next.text;
  });
}

void test('a value split across stderr lines is masked in every line that holds a piece of it', () => {
  const cases: [string, string[]][] = [
    ['two halves', [TOKEN.slice(0, 10), TOKEN.slice(10)]],
    ['three pieces', [`start ${TOKEN.slice(0, 6)}`, TOKEN.slice(6, 12), `${TOKEN.slice(12)} end`]],
    ['one character per line from the fourth', [TOKEN.slice(0, 4), ...TOKEN.slice(4)]],
    ['hex split', [`h=${hex(TOKEN).slice(0, 15)}`, hex(TOKEN).slice(15)]],
    ['base64 split', [b64(TOKEN).slice(0, 9), b64(TOKEN).slice(9)]],
  ];
  for (const [name, lines] of cases) {
    const out = stream(lines);
    const joined = out.join('');
    // What is left of the value across the lines is never more than MIN_FRAGMENT - 1 characters.
    for (let i = 0; i + 4 <= TOKEN.length; i++) {
      assert.ok(!joined.includes(TOKEN.slice(i, i + 4)), `${name}: ${JSON.stringify(out)}`);
    }
    assert.ok(
      out.some((line) => line.includes(ENV_MARKER) || line.includes('${env:')),
      name,
    );
  }
  // Unrelated lines pass unchanged; a value whole in one line gets its name.
  assert.deepEqual(stream(['hello', 'world', `got ${TOKEN}`]), [
    'hello',
    'world',
    'got ${env:API_TOKEN}',
  ]);
});
