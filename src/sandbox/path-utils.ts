/**
 * Path helpers for sandbox mounts (POSIX paths: every sandbox backend runs on a POSIX system).
 * Containment itself is the path policy's rule (policy/paths/within.ts), asked from here too.
 */
import { posix } from 'node:path';

/** How many segments deep `path` is (`/` is 0, `/a/b` is 2). */
export function depthOf(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

/** Normalised absolute form without a trailing slash. */
export function clean(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** Paths ordered parent-first (shallower first; ties in a stable lexical order). */
export function parentFirst(a: string, b: string): number {
  return depthOf(a) - depthOf(b) || (a < b ? -1 : a > b ? 1 : 0);
}
