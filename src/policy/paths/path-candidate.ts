/**
 * Whether a string found anywhere in the arguments (under a name that says nothing) is a path:
 * one line that, leading and trailing blanks aside, is absolute — POSIX `/…`, Windows `C:\…`,
 * `C:/…`, `\\?\…`, `\\.\…` or UNC `\\server\share` — or starts with `~` or `~/`, or is a `file:`
 * URI. A lone leading `\` is not enough (`\d+` is a regular expression far more often than a
 * path); under a path-like name such a string is still checked as a path.
 */
import type { PathFlavor } from './flavor.js';

const POSIX_START = /^\s*(?:\/|~(?:\/|\s*$)|file:|[A-Za-z]:[\\/]|\\\\)/i;
const WIN32_START = /^\s*(?:\/|~(?:[\\/]|\s*$)|file:|[A-Za-z]:[\\/]|\\\\)/i;

export function isPathCandidate(value: string, flavor: PathFlavor): boolean {
  if (!(flavor === 'win32' ? WIN32_START : POSIX_START).test(value)) return false;
  return !/[\r\n]/.test(value.trim());
}
