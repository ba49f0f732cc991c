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
 * written with `\`. Every spelling of a name is matched (case-folding.ts equivalenceKey): case is
 * always ignored — whether a name's case matters is a property of the folder holding it
 * (casefold folders, per-folder NTFS case sensitivity), which no lookup of the root can tell —
 * and so is Unicode normalisation; for a list of denials matching too much is the safe side.
 * `*`, `?` and `**` match any character, line breaks included: a folder renamed to a name with
 * a newline still lies on the way of `**`.
 */
import { loadPicomatch } from '../globs.js';
import { equivalenceKey } from './case-folding.js';
import type { PathFlavor } from './flavor.js';

export interface DenyGlobs {
  /** The first glob (as configured) that denies `path`, if any. */
  match(path: string): string | undefined;
}

/** picomatch's options for deny globs: dot-files, any case, `.` matching line breaks too. */
const OPTIONS = { dot: true, windows: false, flags: 'is' } as const;

export function compileDenyGlobs(globs: readonly string[], flavor: PathFlavor): DenyGlobs {
  const compiled = globs.map((glob) => ({ glob, test: compileGlob(expandGlob(glob, flavor)) }));
  return {
    match(path) {
      if (compiled.length === 0) return undefined;
      const subject = path.replace(/\\/g, '/');
      const key = equivalenceKey(subject);
      for (const { glob, test } of compiled) if (test(subject, key)) return glob;
      return undefined;
    },
  };
}

/**
 * Why: one tester for a glob's patterns (and everything under what they match) on every
 * spelling of a path: as it is and by its equivalence key, against the pattern as written and
 * with its non-ASCII letters folded the same way.
 */
export function compileGlob(patterns: readonly string[]): (path: string, key?: string) => boolean {
  const all = new Set<string>();
  for (const pattern of patterns) {
    const written = pattern.normalize('NFC');
    const folded = foldGlob(written);
    for (const each of [written, folded]) {
      all.add(each);
      all.add(each === '/' ? '/**' : `${each}/**`);
    }
  }
  const test = loadPicomatch()([...all], OPTIONS);
  // An ASCII path's key is its lower case, which the case-insensitive test already covers.
  return (path, key = equivalenceKey(path)) => test(key) || (!isAscii(path) && test(path));
}

function isAscii(text: string): boolean {
  return /^[\u0000-\u007f]*$/.test(text);
}

/** The glob as an absolute pattern: `/` separators, no trailing `/`, `**\/` before a bare one. */
export function expandGlob(glob: string, flavor: PathFlavor): string[] {
  let pattern = flavor === 'win32' ? glob.replace(/\\/g, '/') : glob;
  if (pattern.length > 1) pattern = pattern.replace(/\/+$/, '');
  if (pattern === '/') return ['/'];
  if (!isAnchored(pattern) && !pattern.startsWith('**/')) pattern = `**/${pattern}`;
  return [pattern];
}

/** Whether a glob (with `/` separators) starts at the filesystem root. */
export function isAnchored(pattern: string): boolean {
  return pattern.startsWith('/') || /^[A-Za-z]:\//.test(pattern);
}

/** Non-ASCII runs of a pattern folded as equivalenceKey folds names (glob syntax is ASCII). */
function foldGlob(pattern: string): string {
  return pattern.replace(/[^\u0000-\u007f]+/g, (run) => equivalenceKey(run));
}
