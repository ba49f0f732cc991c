/**
 * `paths.deny` globs (picomatch, `dot: true`, so `*` and `**` match dot-files) on absolute
 * paths, with gitignore-like reach:
 *
 * - a glob starting with `/` (or `C:/`) is anchored at the filesystem root: `/home/me/.ssh/**`;
 * - any other glob may match at any depth: `.env`, `**\/.env` and `id_*` all deny
 *   `/work/project/.env` or `/home/me/.ssh/id_rsa` (a leading `**\/` is implied);
 * - a glob that matches a folder denies everything inside it: `.ssh` denies `~/.ssh/config`.
 *
 * Paths are matched with `/` separators (Windows paths are `C:/x/y`); Windows globs may be
 * written with `\`. Case is always ignored: whether a name's case matters is a property of the
 * folder holding it (casefold folders, per-folder NTFS case sensitivity), which no lookup of the
 * root can tell, and for a list of denials matching too much is the safe side. A path is also
 * matched in Unicode NFC, so a decomposed spelling of a denied name is still denied.
 */
import { loadPicomatch } from '../globs.js';
import type { PathFlavor } from './flavor.js';

export interface DenyGlobs {
  /** The first glob (as configured) that denies `path`, if any. */
  match(path: string): string | undefined;
}

export function compileDenyGlobs(globs: readonly string[], flavor: PathFlavor): DenyGlobs {
  const options = { dot: true, nocase: true, windows: false };
  const compiled = globs.map((glob) => ({
    glob,
    test: loadPicomatch()(expandGlob(glob, flavor), options),
  }));
  return {
    match(path) {
      if (compiled.length === 0) return undefined;
      const subject = path.replace(/\\/g, '/');
      const composed = subject.normalize('NFC');
      for (const { glob, test } of compiled) {
        if (test(subject) || (composed !== subject && test(composed))) return glob;
      }
      return undefined;
    },
  };
}

/** The glob itself and everything under what it matches, anchored or at any depth. */
function expandGlob(glob: string, flavor: PathFlavor): string[] {
  let pattern = flavor === 'win32' ? glob.replace(/\\/g, '/') : glob;
  pattern = pattern.normalize('NFC');
  if (pattern.length > 1) pattern = pattern.replace(/\/+$/, '');
  if (pattern === '/') return ['/**'];
  const anchored = pattern.startsWith('/') || /^[A-Za-z]:\//.test(pattern);
  if (!anchored && !pattern.startsWith('**/')) pattern = `**/${pattern}`;
  return [pattern, `${pattern}/**`];
}
