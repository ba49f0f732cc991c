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
 * written with `\`. Case is ignored where the path's filesystem ignores it. A path is also
 * matched in Unicode NFC, so a decomposed spelling of a denied name is still denied.
 */
import picomatch from 'picomatch';
import type { PathFlavor } from './flavor.js';

export interface DenyGlobs {
  /** The first glob (as configured) that denies `path`, if any. */
  match(path: string, ignoreCase: boolean): string | undefined;
}

interface Compiled {
  glob: string;
  exact: (subject: string) => boolean;
  folded: (subject: string) => boolean;
}

export function compileDenyGlobs(globs: readonly string[], flavor: PathFlavor): DenyGlobs {
  const compiled: Compiled[] = globs.map((glob) => {
    const patterns = expandGlob(glob, flavor);
    const options = { dot: true, windows: false };
    return {
      glob,
      exact: picomatch(patterns, options),
      folded: picomatch(patterns, { ...options, nocase: true }),
    };
  });
  return {
    match(path, ignoreCase) {
      if (compiled.length === 0) return undefined;
      const subject = path.replace(/\\/g, '/');
      const composed = subject.normalize('NFC');
      for (const entry of compiled) {
        const test = ignoreCase ? entry.folded : entry.exact;
        if (test(subject) || (composed !== subject && test(composed))) return entry.glob;
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
