/**
 * Symlinks a confined server could have planted. A folder some confined server may write (any
 * root of the manifest) holds the servers' files, not the user's: mcp-guard never follows a link
 * found there to decide what a launch shows. Otherwise a `readOnly` path missing at one launch,
 * planted as a link to `$HOME`, or a `node_modules` link above a server's package, would be shown
 * at the next.
 */
import { posix } from 'node:path';
import type { FsView } from './fs-view.js';
import { isWithin } from '../policy/paths/within.js';
import { clean } from './path-utils.js';

/**
 * Why: the first symlink met while resolving `path` that lies inside one of `writable` (real
 * paths), or null when resolving it follows none there.
 */
export function plantedLink(path: string, writable: readonly string[], fs: FsView): string | null {
  let at = '/';
  for (const part of clean(path).split('/')) {
    if (part === '') continue;
    const next = posix.join(at, part);
    const kind = fs.lstat(next);
    if (kind === null) return null;
    if (kind !== 'symlink') {
      at = next;
      continue;
    }
    if (writable.some((folder) => isWithin(next, folder))) return next;
    const real = fs.realpath(next);
    if (real === null) return null;
    at = real;
  }
  return null;
}
