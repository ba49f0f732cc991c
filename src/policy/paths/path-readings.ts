/**
 * The strings a server might make of one argument before it treats it as a path. Servers trim
 * (JavaScript's `trim`, Python's `strip`, which also drops U+001C–U+001F and U+0085) and parse
 * URIs by the WHATWG URL rules (`new URL`, `fileURLToPath`), which drop leading and trailing C0
 * controls and spaces and remove every tab and newline — so `fi\tle:///etc/passwd` and
 * `\u0001file:///etc/passwd` are `file:///etc/passwd` to a server. Each reading is checked; all
 * must be allowed.
 */
import { FILE_URI } from './file-uri.js';

/** Every character some trimming function drops: C0 controls, space, Unicode blanks. */
export const BLANK_CLASS =
  '[\\u0000-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';
const BLANK_EDGES = new RegExp(`^${BLANK_CLASS}+|${BLANK_CLASS}+$`, 'g');
/** What the URL parser strips from both ends (C0 control or space). */
const URL_EDGES = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
/** What the URL parser removes anywhere (ASCII tab or newline). */
const URL_REMOVED = /[\t\n\r]/g;

/** Why: the readings to check, the value as sent first; duplicates dropped. */
export function readingsOf(value: string): string[] {
  const readings = [value];
  const add = (reading: string) => {
    if (!readings.includes(reading)) readings.push(reading);
  };
  add(value.trim());
  add(value.replace(BLANK_EDGES, ''));
  const uri = fileUriReading(value);
  if (uri !== undefined) add(uri);
  return readings;
}

/** The `file:` URI a URL parser reads in `value`, if it reads one. */
export function fileUriReading(value: string): string | undefined {
  const cleaned = value.replace(URL_EDGES, '').replace(URL_REMOVED, '');
  return FILE_URI.test(cleaned) ? cleaned : undefined;
}

/** `value` without the characters some trimming function drops at its ends. */
export function stripBlanks(value: string): string {
  return value.replace(BLANK_EDGES, '');
}
