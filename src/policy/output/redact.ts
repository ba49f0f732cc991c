/**
 * `output.redact`: secrets in what the server sends back are replaced with a marker —
 * `[REDACTED:aws]` for a built-in pattern, `[REDACTED]` for one of the manifest's own regular
 * expressions (which never appear anywhere, the audit log included). The built-ins run as one
 * regular expression; each of the manifest's runs on its own (its groups are its own).
 *
 * A secret is found where it is written and also where it is encoded once: a run of 16 or more
 * base64 or base64url characters (read from each of the four possible starts) or hex digits
 * (both starts) whose decoded bytes hold a secret is replaced whole. Every step is a forward
 * scan, so the work is linear in the text (a fixed multiple of it).
 */
import { remembering } from '../../remembered.js';
import { BUILTIN_PATTERNS, isBuiltinName } from './redact-patterns.js';

/** A secret found in a text: [start, end) in UTF-16 units, and the marker that replaces it. */
export interface Span {
  start: number;
  end: number;
  marker: string;
}

export interface Redact {
  /** The text with every secret replaced. */
  (text: string): string;
  /** Where the secrets are (plain and encoded), in no particular order; may overlap. */
  find(text: string): Span[];
  /** Where the secrets are, as written (not looking into encodings). */
  findPlain(text: string): Span[];
}

export const CUSTOM_MARKER = '[REDACTED]';

/** Shortest run looked into: 12 bytes of base64, 8 of hex (the shortest built-in is longer). */
const MIN_RUN = 16;
/**
 * Texts up to this long have where their secrets are remembered (keys, labels and names recur in
 * every message; finding is a pure function of the text), up to REMEMBERED_COUNT of them before
 * the memory starts over, whatever a server sends.
 */
const REMEMBERED_LENGTH = 64;
const REMEMBERED_COUNT = 1024;

/** A table by UTF-16 code unit (below 128) of the characters `chars` (a regex class) takes. */
function charTable(chars: RegExp): Uint8Array {
  const table = new Uint8Array(128);
  for (let code = 0; code < 128; code++)
    table[code] = chars.test(String.fromCharCode(code)) ? 1 : 0;
  return table;
}

const BASE64_CHARS = charTable(/[A-Za-z0-9+/_-]/);
const HEX_CHARS = charTable(/[0-9A-Fa-f]/);

/**
 * Why: runs of the `chars` table's characters at least MIN_RUN long, as [start, end). A plain
 * scan over code units (a regular expression's greedy run over megabytes of base64 exhausts the
 * regex engine's stack; a test per character costs more than the decoding after it).
 */
function runsOf(text: string, chars: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128 && chars[code] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= MIN_RUN) runs.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0 && length - start >= MIN_RUN) runs.push([start, length]);
  return runs;
}

/** Why: built once per server from its `output.redact`; undefined when there is nothing to do. */
export function createRedactor(entries: readonly string[]): Redact | undefined {
  const names = entries.filter(isBuiltinName);
  const custom = entries.filter((entry) => !isBuiltinName(entry)).map((s) => new RegExp(s, 'gu'));
  const builtin = names.length === 0 ? undefined : builtinFinder(names);
  if (builtin === undefined && custom.length === 0) return undefined;
  const findPlain = (text: string): Span[] => {
    const spans = builtin === undefined ? [] : builtin(text);
    for (const pattern of custom) {
      for (const match of text.matchAll(pattern)) {
        if (match[0].length === 0) continue;
        spans.push({
          start: match.index,
          end: match.index + match[0].length,
          marker: CUSTOM_MARKER,
        });
      }
    }
    return spans;
  };
  const remembered = remembering(
    (text: string): readonly Span[] => {
      const spans = findPlain(text);
      // An encoded secret is a run of at least MIN_RUN characters: a shorter text holds none.
      if (text.length >= MIN_RUN) spans.push(...findEncoded(text, findPlain));
      return spans;
    },
    REMEMBERED_LENGTH,
    REMEMBERED_COUNT,
  );
  // Callers may add to the list they get: each gets spans of its own.
  const find = (text: string): Span[] => remembered(text).map((span) => ({ ...span }));
  const redact = (text: string): string => applySpans(text, find(text));
  return Object.assign(redact, { find, findPlain });
}

/** Runs of base64/base64url or hex whose decoded bytes hold a secret, each as one span. */
function findEncoded(text: string, findPlain: (text: string) => Span[]): Span[] {
  const spans: Span[] = [];
  const base64Runs = runsOf(text, BASE64_CHARS);
  // Every hex digit is a base64 character: without a base64 run there is no hex run either.
  if (base64Runs.length === 0) return spans;
  const look = (start: number, end: number, decodings: readonly string[]): void => {
    for (const decoded of decodings) {
      const found = findPlain(decoded)[0];
      if (found === undefined) continue;
      spans.push({ start, end, marker: found.marker });
      return;
    }
  };
  for (const [start, end] of base64Runs) {
    const chars = text.slice(start, end);
    let stop = end;
    while (text[stop] === '=' && stop < end + 2) stop++;
    look(
      start,
      stop,
      [0, 1, 2, 3].map((skip) => Buffer.from(chars.slice(skip), 'base64').toString('latin1')),
    );
  }
  for (const [start, end] of runsOf(text, HEX_CHARS)) {
    const digits = text.slice(start, end);
    look(
      start,
      end,
      [0, 1].map((skip) =>
        Buffer.from(digits.slice(skip, skip + ((digits.length - skip) & ~1)), 'hex').toString(
          'latin1',
        ),
      ),
    );
  }
  return spans;
}

/** The text with each span (merged where they overlap) replaced by its marker. */
export function applySpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  let current: Span | undefined;
  for (const span of sorted) {
    if (current !== undefined && span.start < current.end) {
      current.end = Math.max(current.end, span.end);
      if (current.marker === '') current.marker = span.marker;
      continue;
    }
    if (current !== undefined) {
      out += text.slice(at, current.start) + current.marker;
      at = current.end;
    }
    current = { ...span };
  }
  if (current !== undefined) out += text.slice(at, current.start) + current.marker;
  return out + text.slice(current === undefined ? at : current.end);
}

function builtinFinder(names: readonly string[]): (text: string) => Span[] {
  const labels: string[] = [];
  const sources: string[] = [];
  for (const name of names) {
    for (const pattern of BUILTIN_PATTERNS[name] ?? []) {
      const n = labels.length;
      labels.push(name);
      sources.push(
        pattern.keep === undefined
          ? `(?<s${n}>${pattern.secret})`
          : `(?<k${n}>${pattern.keep})(?<s${n}>${pattern.secret})`,
      );
    }
  }
  const source = sources.join('|');
  const test = new RegExp(source, 'u');
  const all = new RegExp(source, 'gu');
  return (text) => {
    const spans: Span[] = [];
    if (!test.test(text)) return spans;
    for (const match of text.matchAll(all)) {
      const groups = match.groups ?? {};
      for (let n = 0; n < labels.length; n++) {
        const secret = groups[`s${n}`];
        if (secret === undefined) continue;
        const start = match.index + (groups[`k${n}`]?.length ?? 0);
        spans.push({ start, end: start + secret.length, marker: `[REDACTED:${labels[n]}]` });
        break;
      }
    }
    return spans;
  };
}
