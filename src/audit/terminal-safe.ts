/**
 * What the audit log shows an operator must not drive or mislead their terminal. Unsafe are the
 * C0 and C1 controls and DEL (ANSI escape sequences start with one), the format characters
 * (bidi embeddings, overrides and isolates U+202A–202E and U+2066–2069, marks U+200E/200F/061C,
 * zero-width characters, the BOM, tag characters), the line and paragraph separators, and lone
 * surrogates. Each is written as a visible escape instead: `\u001b` for people, and the same
 * JSON escape in JSON text, which parses back to the same string.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
/** In JSON text, whitespace between tokens is legal and never inside a (valid) string. */
const UNSAFE_IN_JSON = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
/** Printable ASCII only: nothing to look at (the common case, tested first). */
const PLAIN = /^[\x20-\x7e]*$/;

/** Why: record text for the human format; `\u001b`, or `\u{e0001}` beyond the BMP. */
export function escapeForTerminal(text: string): string {
  if (PLAIN.test(text)) return text;
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${hex4(code)}`;
  });
}

/**
 * Why: JSON text (a record line, a report) with every unsafe character inside its strings
 * written as a JSON escape (beyond the BMP: the surrogate pair), so it still parses to the same
 * value. The writer seals records in this form, so `logs --json` prints an intact line unchanged.
 */
export function escapeJsonText(json: string): string {
  if (PLAIN.test(json)) return json;
  return json.replace(UNSAFE_IN_JSON, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${hex4(c.charCodeAt(i))}`;
    return out;
  });
}

function hex4(code: number): string {
  return code.toString(16).padStart(4, '0');
}
