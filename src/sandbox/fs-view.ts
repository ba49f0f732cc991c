/**
 * The little of the filesystem a sandbox plan reads: what exists, where symlinks lead, what a
 * folder holds. Planning takes it as a parameter, so the plan is a pure function that unit tests
 * drive with an in-memory tree; `nodeFs` is the real one.
 */
import {
  accessSync,
  constants,
  closeSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
} from 'node:fs';
import { readlinkSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'socket' | 'other';

export interface DirEntry {
  name: string;
  kind: EntryKind;
}

export interface FsView {
  /** The kind of `path` itself (a symlink is 'symlink'), or null when it does not exist. */
  lstat(path: string): EntryKind | null;
  /** The kind of what `path` leads to after symlinks, or null when that does not exist. */
  stat(path: string): EntryKind | null;
  /** The canonical path (every symlink resolved), or null when it does not exist. */
  realpath(path: string): string | null;
  /** A symlink's target as written, or null when `path` is not a symlink. */
  readlink(path: string): string | null;
  /** A folder's entries; empty when it cannot be read. */
  readdir(path: string): DirEntry[];
  /** Whether `path` is a file this process may execute. */
  executable(path: string): boolean;
  /** Up to `bytes` bytes from the start of a file as text, or null when it cannot be read. */
  readHead(path: string, bytes: number): string | null;
}

function kindOf(stats: Stats | Dirent): EntryKind {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'dir';
  if (stats.isFile()) return 'file';
  if (stats.isSocket()) return 'socket';
  return 'other';
}

function orNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** Why: the real filesystem, read synchronously (a plan is computed once per launch). */
export const nodeFs: FsView = {
  lstat: (path) => orNull(() => kindOf(lstatSync(path))),
  stat: (path) => orNull(() => kindOf(statSync(path))),
  realpath: (path) => orNull(() => realpathSync.native(path)),
  readlink: (path) => orNull(() => readlinkSync(path)),
  readdir: (path) =>
    orNull(() =>
      readdirSync(path, { withFileTypes: true }).map((entry) => ({
        name: entry.name,
        kind: kindOf(entry),
      })),
    ) ?? [],
  executable: (path) =>
    orNull(() => {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    }) ?? false,
  readHead: (path, bytes) =>
    orNull(() => {
      const fd = openSync(path, 'r');
      try {
        const buffer = Buffer.alloc(bytes);
        const read = readSync(fd, buffer, 0, bytes, 0);
        return buffer.subarray(0, read).toString('utf8');
      } finally {
        closeSync(fd);
      }
    }),
};
