/**
 * The little of the filesystem the path policy reads, injected so tests can use a fake tree as
 * well as real temp dirs. Synchronous: policy checks are pure functions of the message.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';

export interface PathFs {
  /** The canonical path, every symlink resolved; throws (with `code`, e.g. ENOENT, ELOOP) otherwise. */
  realpath(path: string): string;
  /** Whether `path` itself is a symlink; undefined when it does not exist or cannot be read. */
  isSymlink(path: string): boolean | undefined;
  /** The target of the symlink `path`, as stored; throws when it cannot be read. */
  readlink(path: string): string;
  /** An identity of the file `path` names (links followed); undefined when there is none. */
  fileId(path: string): string | undefined;
}

/** The real filesystem. `realpathSync.native` also expands Windows 8.3 short names. */
export const nodePathFs: PathFs = {
  realpath: (path) => realpathSync.native(path),
  isSymlink(path) {
    try {
      return lstatSync(path).isSymbolicLink();
    } catch {
      return undefined;
    }
  },
  readlink: (path) => readlinkSync(path),
  fileId(path) {
    try {
      const stat = statSync(path, { bigint: true });
      return `${stat.dev}:${stat.ino}`;
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
