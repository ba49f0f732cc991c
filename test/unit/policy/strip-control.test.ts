import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  escapeControl,
  hasControl,
  stripControl,
} from '../../../src/policy/output/strip-control.js';

const cases: [string, string, string][] = [
  ['plain text is untouched', 'hello, world', 'hello, world'],
  ['tab and newline stay', 'a\tb\nc', 'a\tb\nc'],
  ['carriage return goes (it can overwrite a line)', 'safe\rEVIL', 'safeEVIL'],
  ['CSI colour, whole', '\u001b[31mred\u001b[0m', 'red'],
  ['CSI with parameters and intermediates', '\u001b[1;2;38;5;196mx\u001b[?25l', 'x'],
  ['CSI cursor movement', 'a\u001b[2Ab\u001b[10D', 'ab'],
  ['8-bit CSI', '\u009b31mred', 'red'],
  ['OSC title ended by BEL', '\u001b]0;pwned\u0007text', 'text'],
  [
    'OSC 8 hyperlink ended by ST',
    '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\',
    'click',
  ],
  ['8-bit OSC ended by 8-bit ST', '\u009d0;t\u009cok', 'ok'],
  ['an unterminated OSC loses only its introducer', '\u001b]8;;https://x', '8;;https://x'],
  ['DCS', '\u001bPq#0;2;0;0;0\u001b\\after', 'after'],
  ['APC', '\u001b_hidden\u001b\\shown', 'shown'],
  ['two-byte escapes', 'a\u001bcb\u001b7c', 'abc'],
  ['charset designation', '\u001b(Bx', 'x'],
  ['a lone ESC', 'a\u001b', 'a'],
  ['other C0 controls', 'a\u0000b\u0007c\u0008d\u001fe', 'abcde'],
  ['DEL and C1 controls', 'a\u007fb\u0085c\u009fd', 'abcd'],
  ['bidi overrides (Trojan Source)', 'if (a\u202e}\u2066 {\u2069)', 'if (a} {)'],
  ['bidi embeddings and marks', '\u202aa\u202bb\u202cc\u200ed\u200fe\u061cf', 'abcdef'],
  ['zero-width characters', 'pa\u200bss\u200cw\u200do\u2060r\ufeffd', 'password'],
  ['invisible Unicode tag characters', 'ok\u{e0049}\u{e0067}\u{e006e}', 'ok'],
  ['visible non-ASCII stays', 'café — 東京 😀 ✓', 'café — 東京 😀 ✓'],
  ['lone surrogate halves go', 'a\ud800b\udfffc', 'abc'],
  [
    'halves around a removed character do not join into a tag character',
    'ok\udb40\u200b\udc41 \udb40\u001b[1m\udc41',
    'ok ',
  ],
];

for (const [what, input, output] of cases) {
  void test(`stripControl: ${what}`, () => {
    assert.equal(stripControl(input), output);
    assert.equal(hasControl(input), input !== output);
  });
}

void test('unchanged text is the same string (no copy)', () => {
  const text = 'x'.repeat(1000);
  assert.equal(stripControl(text), text);
});

void test('escapeControl shows invisible characters as escapes', () => {
  assert.equal(escapeControl('a\u202eb\u200bc\u0007'), 'a\\u202eb\\u200bc\\u0007');
  assert.equal(escapeControl('ok\u{e0041}'), 'ok\\ue0041');
});

/** CPU time of stripControl over each text in turn, in microseconds (one try). */
function cpuMicros(texts: readonly string[]): number {
  const start = process.cpuUsage();
  for (const text of texts) stripControl(text);
  const used = process.cpuUsage(start);
  return Math.max(used.user + used.system, 1);
}

/**
 * The least of five tries of each, taken in turns: the process's CPU time also counts V8's
 * compiler and collector threads, and a burst of theirs then falls on both or on one try only.
 */
function leastOfTurns(a: () => number, b: () => number): [number, number] {
  let [bestA, bestB] = [Infinity, Infinity];
  for (let run = 0; run < 5; run++) {
    bestA = Math.min(bestA, a());
    bestB = Math.min(bestB, b());
  }
  return [bestA, bestB];
}

void test('stripControl is linear: one text 16 times as long costs what 16 short ones cost, not 16 times that', () => {
  // Unterminated string sequences, each introducer followed by text: with a payload that ran on
  // past later introducers each of them rescanned the rest (180 KB took 4 s). Comparing equal
  // amounts of text makes the ratio ~1 when linear and ~16 when quadratic, whatever the load.
  const shapes: Record<string, (n: number) => string> = {
    '8-bit OSC': (n) => '\u009da'.repeat(n / 2),
    'DCS then OSC': (n) => '\u0090\u009d'.repeat(n / 2),
    '7-bit OSC': (n) => '\u001b]a'.repeat(n / 3),
    'CSI parameters': (n) => '\u009b0;'.repeat(n / 3),
    mixed: (n) => '\u009d\u001b]\u009bx\u0007'.repeat(n / 6),
  };
  for (const [name, make] of Object.entries(shapes)) {
    const short = make(6_000);
    const long = make(96_000);
    stripControl(long);
    const shorts = Array.from({ length: 16 }, () => short);
    const [pieces, whole] = leastOfTurns(
      () => cpuMicros(shorts),
      () => cpuMicros([long]),
    );
    assert.ok(whole / pieces < 4, `${name}: 16 × 6 KB took ${pieces} µs, 96 KB took ${whole} µs`);
  }
});
