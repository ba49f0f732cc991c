/**
 * The little of the filesystem the path policy reads, injected so tests can use a fake tree as
 * well as real temp dirs. Synchronous: policy checks are pure functions of the message.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { trackHostFolder, type FolderTracker } from './folder-tracker.js';

export interface PathFs {
  /** The canonical path, every symlink resolved; throws (with `code`, e.g. ENOENT, ELOOP) otherwise. */
  realpath(path: string): string;
  /** Whether `path` itself is a symlink; undefined when it does not exist or cannot be read. */
  isSymlink(path: string): boolean | undefined;
  /** The target of the symlink `path`, as stored; throws when it cannot be read. */
  readlink(path: string): string;
  /** An identity of the file `path` names (links followed); undefined when there is none. */
  fileId(path: string): string | undefined;
  /**
   * Whether `path` names something, links followed (false for a dangling link), without the cost
   * of an exception when it does not: most path arguments name files yet to be created. Other
   * errors (ELOOP, ENOTDIR…) throw as `realpath` would. Optional: without it, realpath decides.
   */
  exists?(path: string): boolean;
  /**
   * Follows the folder `path` by identity from now on (folder-tracker.ts); undefined when it is
   * not a folder. Optional: without it, restrictions are matched by path alone.
   */
  trackFolder?(path: string): FolderTracker | undefined;
}

/** The real filesystem. `realpathSync.native` also expands Windows 8.3 short names. */
export const nodePathFs: PathFs = {
  realpath: (path) => realpathSync.native(path),
  exists: (path) => statSync(path, { throwIfNoEntry: false }) !== undefined,
  isSymlink(path) {
    try {
      return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink();
    } catch {
      return undefined;
    }
  },
  readlink: (path) => readlinkSync(path),
  trackFolder: trackHostFolder,
  fileId(path) {
    try {
      const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
      return stat === undefined ? undefined : `${stat.dev}:${stat.ino}`;
    } catch {
      return undefined;
    }
  },
};

/** The `code` of a thrown filesystem error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * `fs` with the real paths of some folders looked up once, as the roots are: the server's working
 * folder, against which every relative path argument — the common case — is resolved, then costs
 * no lookup of the folders above it. Such a folder must not be replaced while the server runs
 * (under the sandbox, its parent is never writable to the server).
 */
export function withSteadyFolders(fs: PathFs, folders: readonly string[]): PathFs {
  const known = new Map<string, string>();
  for (const folder of folders) {
    try {
      known.set(folder, fs.realpath(folder));
    } catch {
      // Missing now: looked up on each use, as any other path.
    }
  }
  if (known.size === 0) return fs;
  const steady: PathFs = {
    realpath: (path) => known.get(path) ?? fs.realpath(path),
    isSymlink: (path) => fs.isSymlink(path),
    readlink: (path) => fs.readlink(path),
    fileId: (path) => fs.fileId(path),
  };
  const exists = fs.exists?.bind(fs);
  if (exists !== undefined) steady.exists = (path) => known.has(path) || exists(path);
  const trackFolder = fs.trackFolder?.bind(fs);
  if (trackFolder !== undefined) steady.trackFolder = trackFolder;
  return steady;
}
