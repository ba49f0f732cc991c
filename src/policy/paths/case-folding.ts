/**
 * Case: whether a folder's filesystem ignores it, and the form paths are compared in when it
 * does. Only ASCII letters are folded: Unicode case rules differ between filesystems (NTFS's
 * upcase table keeps the Kelvin sign apart from `k`, JavaScript does not), and folding two names
 * a filesystem keeps apart could let a path out of its root. Non-ASCII names that differ only in
 * case are therefore compared as different (a refusal, never an escape).
 */
import type { PathFs } from './path-fs.js';

/** Why: the default where the filesystem cannot be asked (a folder that does not exist). */
export function platformIgnoresCase(platform: NodeJS.Platform): boolean {
  return platform === 'win32' || platform === 'darwin';
}

/**
 * Why: case-insensitivity is per filesystem, not per OS (case-sensitive APFS volumes, ext4
 * casefold folders, Windows per-folder case sensitivity). The folder is looked up with its
 * letters' case swapped: the same file means the filesystem ignores case.
 */
export function detectIgnoresCase(realDir: string, fs: PathFs, platform: NodeJS.Platform): boolean {
  const swapped = swapCase(realDir);
  const id = swapped === realDir ? undefined : fs.fileId(realDir);
  if (id === undefined) return platformIgnoresCase(platform);
  return fs.fileId(swapped) === id;
}

/** ASCII letters lower-cased, everything else as it is. */
export function foldCase(path: string): string {
  return /[A-Z]/.test(path)
    ? path.replace(/[A-Z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 32))
    : path;
}

function swapCase(path: string): string {
  return path.replace(/[A-Za-z]/g, (letter) =>
    letter === letter.toUpperCase() ? letter.toLowerCase() : letter.toUpperCase(),
  );
}

/**
 * Why: a restriction (a read-only folder, a deny glob) must hold for every spelling a
 * filesystem or a server may take for the same name — another Unicode normalisation (APFS and
 * server-filesystem match NFC and NFD names; ext4 casefold folders normalise too) or another
 * case — so restrictions compare in this form: canonical composition (NFC) of the full Unicode
 * case fold. Matching too much only refuses more. Allowances (roots) never use it: two names it
 * merges can be two different folders on the same disk.
 */
export function equivalenceKey(path: string): string {
  if (/^[\u0000-\u007f]*$/.test(path)) return foldCase(path);
  return path.normalize('NFD').toUpperCase().toLowerCase().normalize('NFC');
}
