/**
 * Windows paths by Win32 rules, whatever the host: absolute and normal, so that two spellings of
 * one place compare equal and nothing that Windows reads as a parent or as another file hides in
 * a name.
 */
import { win32 } from 'node:path';
import { found, refused, type PathResult } from './result.js';

/** `\\?\`, `\\.\` and `\??\`: the namespaces that skip (or reach past) Win32 normalisation. */
const NAMESPACE = /^(?:\\\\[?.]\\|\\\?\?\\)/;
const DRIVE = /^[A-Za-z]:/;
const UNC = /^\\\\([^\\]+)\\([^\\]+)(?:\\|$)/;

/**
 * Why: Win32 maps many strings to one file. `/` is `\`; `\\?\C:\x` and `\\.\C:\x` are `C:\x` and
 * `\\?\UNC\srv\share` is `\\srv\share`; `\x` is on `cwd`'s drive, `C:x` in `cwd` when it is on
 * drive C; trailing dots and spaces of a name are dropped; `..` stops at the drive or the share;
 * the drive letter is upper-case. Refused, because they name no plain file or hide one: other
 * device paths (`\\.\pipe\x`, `\\?\Volume{…}`, the volume `\\.\C:` itself), a UNC path without a share, `C:x` on a drive
 * other than `cwd`'s, a name made only of dots and spaces (other than `.` and `..`: `.. ` is a
 * parent to Win32), and `:` in a name (an alternate data stream: `.env::$DATA` is `.env`).
 */
export function normalizeWin32(value: string, cwd: string): PathResult {
  let path = value.replace(/\//g, '\\');
  if (NAMESPACE.test(path)) {
    const rest = path.slice(4);
    if (/^UNC\\/i.test(rest)) path = `\\\\${rest.slice(4)}`;
    else if (/^[A-Za-z]:\\/.test(rest)) path = rest;
    else return refused('is a Windows device path, not a file path');
  }
  const absolute = toAbsolute(path, cwd);
  if (!absolute.ok) return absolute;
  path = absolute.path;

  let root: string;
  let rest: string;
  if (path.startsWith('\\\\')) {
    const unc = UNC.exec(path);
    if (unc === null || unc[1] === '?' || unc[1] === '.')
      return refused('is a UNC path without a share');
    root = `\\\\${unc[1]}\\${unc[2]}\\`;
    rest = path.slice(unc[0].length);
  } else {
    root = `${path.slice(0, 2).toUpperCase()}\\`;
    rest = path.slice(3);
  }
  const names: string[] = [];
  for (const name of rest.split('\\')) {
    if (name === '' || name === '.') continue;
    if (name === '..') {
      names.pop();
      continue;
    }
    if (/^[. ]+$/.test(name)) return refused(`has a name made only of dots and spaces ("${name}")`);
    if (name.includes(':')) return refused('names an alternate data stream (":" in a name)');
    names.push(name.replace(/[. ]+$/, ''));
  }
  return found(names.length === 0 ? root : root + names.join('\\'));
}

/** `C:\…` and `\\…` as they are; `\x`, `C:x` and `x` made absolute from `cwd`. */
function toAbsolute(path: string, cwd: string): PathResult {
  if (/^[A-Za-z]:\\/.test(path) || path.startsWith('\\\\')) return found(path);
  if (DRIVE.test(path)) {
    const drive = DRIVE.exec(cwd)?.[0];
    if (drive === undefined || drive.toUpperCase() !== path.slice(0, 2).toUpperCase())
      return refused("is relative to a drive other than the working directory's");
    return found(`${cwd}\\${path.slice(2)}`);
  }
  if (path.startsWith('\\')) return found(win32.parse(cwd).root + path.slice(1));
  return found(`${cwd}\\${path}`);
}
