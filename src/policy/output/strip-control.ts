/**
 * `output.stripControl`: what a terminal or a model would act on but a person reading the text
 * would not see. Removed: ANSI escape sequences whole (CSI, OSC — hyperlinks and titles —, DCS,
 * SOS, PM, APC, and two-byte escapes, in their 7-bit and 8-bit forms), then every C0 and C1
 * control except tab and newline, bidirectional overrides and isolates, zero-width characters,
 * Unicode tag characters (invisible text a model still reads) and lone surrogate halves.
 *
 * Linear by construction: every repetition below runs over a class that excludes each character
 * another sequence starts with (ESC and the 8-bit introducers), so no two attempts scan the same
 * text and a failed attempt costs only the run it scanned. (An unterminated string sequence's
 * payload used to extend past later introducers, and each of them rescanned it: 180 KB took 4 s.)
 */

/**
 * One character that never survives (after the sequences are gone). A lone surrogate half goes
 * too (in a `u` regular expression a pair is one code point, so only lone halves match): kept,
 * the halves around a removed character would join into a character no one checked — a tag
 * character from `\udb40\u200b\udc41`.
 */
const INVISIBLE =
  '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e' +
  '\\u2060-\\u2064\\u2066-\\u2069\\ud800-\\udfff\\ufeff\\u{e0000}-\\u{e007f}]';

/** Escape sequences with their parameters, so no `[31m` is left behind. */
const SEQUENCES = [
  // CSI: ESC [ or 0x9b, parameter bytes, intermediate bytes, a final byte.
  '(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]',
  // OSC, DCS, SOS, PM, APC: introducer … string terminator (ESC \, 0x9c, or BEL); the payload
  // stops at any introducer, so an unterminated one is never rescanned from a later introducer.
  '(?:\\u001b[\\]PX^_]|[\\u009d\\u0090\\u0098\\u009e\\u009f])[^\\u0007\\u001b\\u009c\\u009d\\u0090\\u0098\\u009e\\u009f\\u009b]*(?:\\u0007|\\u001b\\\\|\\u009c)',
  // Any other escape: ESC, intermediate bytes, a final byte.
  '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]',
].join('|');

const ANY = new RegExp(INVISIBLE, 'u');
const STRIP = new RegExp(`${SEQUENCES}|${INVISIBLE}`, 'gu');

/** Why: most text has nothing to strip; the test is one scan and allocates nothing. */
export function hasControl(text: string): boolean {
  return ANY.test(text);
}

/** The text without escape sequences and invisible characters. */
export function stripControl(text: string): string {
  return ANY.test(text) ? text.replace(STRIP, '') : text;
}

/** Why: text mcp-guard writes itself (a refusal quoting a name) shows such characters escaped. */
export function escapeControl(text: string): string {
  return text.replace(
    new RegExp(INVISIBLE, 'gu'),
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
