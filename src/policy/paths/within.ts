/**
 * Containment, the rule the path policy and the sandbox both rest on: a path is inside a folder
 * when it is the folder or lies below it segment by segment, so `/root-evil` is not under
 * `/root`. Both sides compare normalised paths (absolute, no `.` or `..`, no doubled separators);
 * this is the one implementation, and every containment question asks it.
 */

/** Why: `dir` itself or anything below it, by whole segments; POSIX unless told otherwise. */
export function isWithin(path: string, dir: string, separator = '/'): boolean {
  if (path === dir) return true;
  const prefix = dir.endsWith(separator) ? dir : dir + separator;
  return path.startsWith(prefix);
}
