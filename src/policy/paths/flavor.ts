/**
 * Path flavours: which rules a path string follows. The host's flavour comes from its platform
 * (injected, so Windows rules are tested on Linux); a string in the other flavour's form is
 * still classified and normalised by that flavour's rules.
 */
import { posix, win32 } from 'node:path';

export type PathFlavor = 'posix' | 'win32';

export function flavorOf(platform: NodeJS.Platform): PathFlavor {
  return platform === 'win32' ? 'win32' : 'posix';
}

export function pathApi(flavor: PathFlavor): typeof posix {
  return flavor === 'win32' ? win32 : posix;
}

export function separatorOf(flavor: PathFlavor): '/' | '\\' {
  return flavor === 'win32' ? '\\' : '/';
}

/** `C:\…` or `C:/…`: a drive-absolute Windows path. */
export const WIN32_DRIVE_ABSOLUTE = /^[A-Za-z]:[\\/]/;
/** `\\…`: UNC (`\\server\share`), or the `\\?\` and `\\.\` namespaces. */
export const WIN32_DOUBLE_BACKSLASH = /^\\\\/;

/** Whether `value` has a Windows absolute form (`C:\`, `C:/`, `\\?\`, `\\.\`, UNC). */
export function isWin32AbsoluteForm(value: string): boolean {
  return WIN32_DRIVE_ABSOLUTE.test(value) || WIN32_DOUBLE_BACKSLASH.test(value);
}
