import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeForTerminal, escapeJsonText } from '../../../src/audit/terminal-safe.js';

/** Every character that can drive or mislead a terminal, and how each is shown. */
const UNSAFE: [string, string, string][] = [
  ['ESC (ANSI sequences)', '\u001b[2J', '\\u001b[2J'],
  ['BEL', 'a\u0007b', 'a\\u0007b'],
  ['NUL', '\u0000', '\\u0000'],
  ['CR (overwrites the line)', 'ok\rFAKE', 'ok\\u000dFAKE'],
  ['newline (a forged second line)', 'a\nb', 'a\\u000ab'],
  ['tab', 'a\tb', 'a\\u0009b'],
  ['DEL', 'a\u007f', 'a\\u007f'],
  ['C1 CSI', '\u009b31m', '\\u009b31m'],
  ['C1 OSC', '\u009d0;title\u009c', '\\u009d0;title\\u009c'],
  ['C1 NEL', 'a\u0085b', 'a\\u0085b'],
  ['right-to-left override', 'txt\u202eexe.pdf', 'txt\\u202eexe.pdf'],
  ['left-to-right embedding', '\u202a', '\\u202a'],
  ['pop directional formatting', '\u202c', '\\u202c'],
  ['first-strong isolate', '\u2068x\u2069', '\\u2068x\\u2069'],
  ['right-to-left isolate', '\u2067', '\\u2067'],
  ['left-to-right mark', '\u200e', '\\u200e'],
  ['Arabic letter mark', '\u061c', '\\u061c'],
  ['zero-width space (hides a word break)', 'ev\u200bil', 'ev\\u200bil'],
  ['BOM', '\ufeff', '\\ufeff'],
  ['line separator', '\u2028', '\\u2028'],
  ['paragraph separator', '\u2029', '\\u2029'],
  ['lone surrogate', 'x\ud800y', 'x\\ud800y'],
  ['tag character (beyond the BMP)', '\u{e0041}', '\\u{e0041}'],
];

const SAFE = ['plain ASCII', 'héllo → 世界', 'emoji 😀', 'quotes "x" and \\ backslash', ''];

void test('escapeForTerminal: each unsafe character becomes a visible escape', () => {
  for (const [name, input, want] of UNSAFE) {
    assert.equal(escapeForTerminal(input), want, name);
  }
  for (const text of SAFE) assert.equal(escapeForTerminal(text), text, text);
});

void test('escapeJsonText: the same characters as JSON escapes, and it parses to the same value', () => {
  for (const [name, input] of UNSAFE) {
    const json = JSON.stringify({ text: input });
    const escaped = escapeJsonText(json);
    assert.ok(!/[\u0080-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/.test(escaped), name);
    assert.deepEqual(JSON.parse(escaped), { text: input }, name);
  }
  // Raw C1 and bidi characters are legal inside JSON strings; the escape is what stops them.
  const raw = '{"text":"\u009b2J\u202e"}';
  assert.equal(escapeJsonText(raw), '{"text":"\\u009b2J\\u202e"}');
  assert.equal(escapeJsonText('{"t":"\u{e0041}"}'), '{"t":"\\udb40\\udc41"}');
  // Whitespace between tokens stays as it is (it is never inside a valid string).
  assert.equal(escapeJsonText('{\t"a":\n1}\r'), '{\t"a":\n1}\r');
  for (const text of SAFE) {
    const json = JSON.stringify({ text });
    assert.equal(escapeJsonText(json), json, text);
  }
});
