/**
 * Whether a string found anywhere in the arguments (under a name that says nothing) is a path:
 * one line that, leading and trailing blanks aside (every character some trimming function
 * drops, path-readings.ts), is absolute — POSIX `/…`, Windows `C:\…`, `C:/…`, `\\?\…`, `\\.\…`
 * or UNC `\\server\share` — or starts with `~` or `~/`; or a string a URL parser reads as a
 * `file:` URI (`fi\tle:…` and `\u0001file:…` included, newlines and all). A lone leading `\` is
 * not enough (`\d+` is a regular expression far more often than a path); under a path-like name
 * such a string is still checked as a path.
 */
import type { PathFlavor } from './flavor.js';
import { BLANK_CLASS, fileUriReading, stripBlanks } from './path-readings.js';

const POSIX_START = new RegExp(
  `^${BLANK_CLASS}*(?:/|~(?:/|${BLANK_CLASS}*$)|[A-Za-z]:[\\\\/]|\\\\\\\\)`,
);
const WIN32_START = new RegExp(
  `^${BLANK_CLASS}*(?:/|~(?:[\\\\/]|${BLANK_CLASS}*$)|[A-Za-z]:[\\\\/]|\\\\\\\\)`,
);

export function isPathCandidate(value: string, flavor: PathFlavor): boolean {
  if (fileUriReading(value) !== undefined) return true;
  if (!(flavor === 'win32' ? WIN32_START : POSIX_START).test(value)) return false;
  return !/[\r\n]/.test(stripBlanks(value));
}
