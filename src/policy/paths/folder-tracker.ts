/**
 * Following a folder by its identity rather than its name, so that a restriction on it (a
 * read-only folder, an anchored deny glob) holds after the folder or one of its ancestors is
 * renamed. On Linux the folder is held open and its current path read from `/proc/self/fd`
 * (one readlink, wherever it went); elsewhere the folder's identity (device and inode) is
 * compared at its old path, and once it has left, the identity of each folder on the way of a
 * path is asked. The descriptor is opened close-on-exec (as Node opens every file), so servers
 * never inherit it, and is held for the life of the process.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';

/** Where a followed folder is now: at a path, removed, or somewhere this platform cannot tell. */
export type FolderPlace = { state: 'at'; path: string } | { state: 'gone' } | { state: 'unknown' };

export interface FolderTracker {
  /** The folder's identity, `device:inode`, as PathFs.fileId spells it. */
  readonly id: string;
  where(): FolderPlace;
}

const GONE: FolderPlace = Object.freeze({ state: 'gone' });
const UNKNOWN: FolderPlace = Object.freeze({ state: 'unknown' });

/** Why: a folder followed from now on; undefined when `path` is not a folder that can be opened. */
export function trackHostFolder(path: string): FolderTracker | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
  } catch {
    return undefined;
  }
  const stat = fstatSync(fd, { bigint: true });
  const id = `${stat.dev}:${stat.ino}`;
  if (process.platform === 'linux') {
    const link = `/proc/self/fd/${fd}`;
    return { id, where: () => whereByDescriptor(fd, link) };
  }
  closeSync(fd);
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch {
    return undefined;
  }
  return { id, where: () => (isStill(real, id) ? { state: 'at', path: real } : UNKNOWN) };
}

function whereByDescriptor(fd: number, link: string): FolderPlace {
  try {
    const path = readlinkSync(link);
    if (path.endsWith(' (deleted)') && fstatSync(fd).nlink === 0) return GONE;
    return path.startsWith('/') ? { state: 'at', path } : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

/** Whether `real` is still a real path (no link on the way) and names the folder `id`. */
function isStill(real: string, id: string): boolean {
  try {
    if (realpathSync.native(real) !== real) return false;
    const stat = statSync(real, { bigint: true });
    return `${stat.dev}:${stat.ino}` === id;
  } catch {
    return false;
  }
}
