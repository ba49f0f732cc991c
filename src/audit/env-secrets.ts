/**
 * Environment values never appear in the audit log (SPEC 7). Each value a server could reveal is
 * looked for as written (replaced by `${env:NAME}`, as `child.spawn` masks its arguments) and in
 * the encodings output redaction looks into — hex (either case), base64 and base64url at each of
 * the three byte alignments — replaced by `[REDACTED:env]`. All forms run as one regular
 * expression of literals.
 *
 * A server's stderr is a stream: a value may be split across lines. `scrubStream` reads each line
 * after the raw tail of the ones before it, so a value completed by this line is masked in it,
 * and a line that ends in the first characters of a value (at least MIN_FRAGMENT) has them
 * masked before the rest arrives. Pure.
 */

/** One environment value and the variable that holds it. */
export interface EnvSecret {
  name: string;
  value: string;
}

/** Shorter values are too likely to match by chance (`1`, `true`, `debug`) to be looked for. */
export const MIN_SECRET_LENGTH = 6;
/** The shortest piece of a value at the end of a stderr line that is masked before the rest. */
export const MIN_FRAGMENT = 4;
/** The shortest encoded form looked for (a shorter one would match base64 text by chance). */
const MIN_ENCODED = 8;
export const ENV_MARKER = '[REDACTED:env]';

/** Why: the log's view of one server's environment values; undefined when there are none. */
export interface EnvScrubber {
  /** The text with every value (plain or encoded) replaced. */
  text(text: string): string;
  /** One stderr line read after `carry` (the raw tail of the lines before it). */
  stream(carry: string, line: string): { text: string; carry: string };
}

interface Form {
  text: string;
  marker: string;
}

/** Why: built once per server from the values it gets (cli wires them in). */
export function createEnvScrubber(secrets: readonly EnvSecret[]): EnvScrubber | undefined {
  const forms = new Map<string, string>();
  for (const { name, value } of secrets) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    if (!forms.has(value)) forms.set(value, `\${env:${name}}`);
    for (const encoded of encodedForms(value)) {
      if (encoded.length >= MIN_ENCODED && !forms.has(encoded)) forms.set(encoded, ENV_MARKER);
    }
  }
  if (forms.size === 0) return undefined;
  const list: Form[] = [...forms].map(([text, marker]) => ({ text, marker }));
  list.sort((a, b) => b.text.length - a.text.length);
  const source = list.map((form) => escapeRegExp(form.text)).join('|');
  const any = new RegExp(source);
  const all = new RegExp(source, 'g');
  const longest = list[0]!.text.length;
  const grams = new Set<string>();
  for (const form of list) {
    for (let i = 0; i + MIN_FRAGMENT <= form.text.length; i++) {
      grams.add(form.text.slice(i, i + MIN_FRAGMENT));
    }
  }

  const spansIn = (text: string, from: number): Span[] => {
    const spans: Span[] = [];
    if (!any.test(text)) return spans;
    for (const match of text.matchAll(all)) {
      const end = match.index + match[0].length;
      if (end <= from) continue;
      const start = Math.max(match.index, from);
      spans.push({ start, end, marker: start === match.index ? forms.get(match[0])! : ENV_MARKER });
    }
    return spans;
  };

  /** The longest start of a form that `text` ends with (at least MIN_FRAGMENT long), if any. */
  const trailingFragment = (text: string): number => {
    if (text.length < MIN_FRAGMENT || !grams.has(text.slice(-MIN_FRAGMENT))) return 0;
    let best = 0;
    for (const form of list) {
      for (let k = Math.min(form.text.length - 1, text.length); k > best; k--) {
        if (k >= MIN_FRAGMENT && text.endsWith(form.text.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  };

  return {
    text: (text) => (text.length < MIN_SECRET_LENGTH ? text : replaceSpans(text, spansIn(text, 0))),
    stream: (carry, line) => {
      const joined = carry + line;
      const spans = spansIn(joined, carry.length);
      const fragment = trailingFragment(joined);
      if (fragment > 0) {
        spans.push({
          start: Math.max(joined.length - fragment, carry.length),
          end: joined.length,
          marker: ENV_MARKER,
        });
      }
      const shifted = spans.map((span) => ({
        ...span,
        start: span.start - carry.length,
        end: span.end - carry.length,
      }));
      return { text: replaceSpans(line, shifted), carry: joined.slice(-(longest - 1)) };
    },
  };
}

interface Span {
  start: number;
  end: number;
  marker: string;
}

/** The value's bytes in hex (both cases) and the stable middle of its base64 and base64url. */
function encodedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const hex = bytes.toString('hex');
  const forms = [hex, hex.toUpperCase()];
  for (let skip = 0; skip < 3; skip++) {
    // With `skip` bytes before it, the characters that depend on the value's bits alone.
    const encoded = Buffer.concat([Buffer.alloc(skip), bytes]).toString('base64');
    const stable = encoded.slice(
      Math.ceil((8 * skip) / 6),
      Math.floor((8 * (skip + bytes.length)) / 6),
    );
    forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Spans (possibly overlapping) replaced, merged where they overlap; the first marker stays. */
function replaceSpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const span of sorted) {
    if (span.end <= at) continue;
    if (span.start >= at) out += text.slice(at, span.start) + span.marker;
    at = span.end;
  }
  return out + text.slice(at);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
