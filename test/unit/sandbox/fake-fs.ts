/**
 * An in-memory FsView for plan tests: a tree given as `path → entry`, parents implied. Symlinks
 * resolve component by component as the kernel does (relative targets from the link's folder).
 */
import { posix } from 'node:path';
import type { DirEntry, EntryKind, FsView } from '../../../src/sandbox/fs-view.js';

export type FakeEntry =
  'dir' | 'file' | 'exec' | 'socket' | { link: string } | { text: string; exec?: boolean };

export function fakeFs(tree: Record<string, FakeEntry>): FsView {
  const entries = new Map<string, FakeEntry>([['/', 'dir']]);
  for (const [path, entry] of Object.entries(tree)) {
    for (let dir = posix.dirname(path); !entries.has(dir); dir = posix.dirname(dir)) {
      entries.set(dir, 'dir');
    }
    entries.set(path, entry);
  }
  const kindOf = (entry: FakeEntry): EntryKind => {
    if (typeof entry === 'string') return entry === 'exec' ? 'file' : entry;
    return 'link' in entry ? 'symlink' : 'file';
  };
  const resolve = (path: string, hops = 0): string | null => {
    if (hops > 40) return null;
    const parts = path.split('/').filter(Boolean);
    let at = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(at, parts[i]!);
      const entry = entries.get(next);
      if (entry === undefined) return null;
      if (typeof entry === 'object' && 'link' in entry) {
        const target = posix.resolve(at, entry.link);
        const rest = parts.slice(i + 1);
        return resolve(posix.join(target, ...rest), hops + 1);
      }
      at = next;
    }
    return at;
  };
  return {
    lstat: (path) => {
      const parent = resolve(posix.dirname(path));
      const entry =
        parent === null ? undefined : entries.get(posix.join(parent, posix.basename(path)));
      return entry === undefined ? null : kindOf(entry);
    },
    stat: (path) => {
      const real = resolve(path);
      return real === null ? null : kindOf(entries.get(real)!);
    },
    realpath: (path) => resolve(path),
    readlink: (path) => {
      const entry = entries.get(path);
      return typeof entry === 'object' && 'link' in entry ? entry.link : null;
    },
    readdir: (path): DirEntry[] => {
      const real = resolve(path);
      if (real === null || entries.get(real) !== 'dir') return [];
      return [...entries.entries()]
        .filter(([p]) => p !== '/' && posix.dirname(p) === real)
        .map(([p, entry]) => ({ name: posix.basename(p), kind: kindOf(entry) }));
    },
    executable: (path) => {
      const real = resolve(path);
      const entry = real === null ? undefined : entries.get(real);
      return (
        entry === 'exec' || (typeof entry === 'object' && 'text' in entry && entry.exec === true)
      );
    },
    readHead: (path, bytes) => {
      const real = resolve(path);
      const entry = real === null ? undefined : entries.get(real);
      if (entry === undefined || entry === 'dir') return null;
      return typeof entry === 'object' && 'text' in entry ? entry.text.slice(0, bytes) : '';
    },
  };
}
