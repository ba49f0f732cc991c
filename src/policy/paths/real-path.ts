/**
 * Where a path really leads: symlinks resolved through chains for the part of the path that
 * exists, the missing rest appended as written. A dangling symlink is followed to its target (a
 * file created through it lands there), and `..` can be taken the way the kernel takes it — from
 * the directory actually reached, after symlinks — rather than by erasing the previous name.
 */
import { type PathFlavor, pathApi, separatorOf } from './flavor.js';
import { errorCode, type PathFs } from './path-fs.js';
import { found, refused, type PathResult } from './result.js';
import { normalizeWin32 } from './win32-path.js';

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
export const MAX_SYMLINK_HOPS = 40;

interface Walk {
  fs: PathFs;
  flavor: PathFlavor;
  hopsLeft: number;
}

const LOOP = 'has too many levels of symbolic links (a loop)';

/** Why: the real path of an absolute, normal path of the host's flavour, which may not exist. */
export function resolveReal(path: string, fs: PathFs, flavor: PathFlavor): PathResult {
  return longestExisting(path, { fs, flavor, hopsLeft: MAX_SYMLINK_HOPS });
}

/**
 * Why: `a/link/../b` is `dirname(realpath(a/link))/b` to the kernel, not `a/b`. `raw` is an
 * absolute POSIX path, not normalised. (Win32 applies `..` by text before the filesystem sees
 * the path, so Windows paths need only resolveReal.)
 */
export function resolvePhysical(raw: string, fs: PathFs): PathResult {
  return physical(raw, { fs, flavor: 'posix', hopsLeft: MAX_SYMLINK_HOPS });
}

function physical(raw: string, walk: Walk): PathResult {
  let base = '/';
  let pending: string[] = [];
  for (const name of raw.split('/')) {
    if (name === '' || name === '.') continue;
    if (name !== '..') {
      pending.push(name);
      continue;
    }
    const reached = longestExisting(joinNames(base, pending, walk.flavor), walk);
    if (!reached.ok) return reached;
    base = pathApi('posix').dirname(reached.path);
    pending = [];
  }
  return longestExisting(joinNames(base, pending, walk.flavor), walk);
}

type Real = { state: 'real'; path: string } | { state: 'missing' } | { state: 'loop' };

/** `known`: the path is there and no link (no existence test needed before realpath). */
function tryRealpath(path: string, fs: PathFs, known = false): Real {
  try {
    if (!known && fs.exists !== undefined && !fs.exists(path)) return { state: 'missing' };
    return { state: 'real', path: fs.realpath(path) };
  } catch (error) {
    return errorCode(error) === 'ELOOP' ? { state: 'loop' } : { state: 'missing' };
  }
}

/**
 * What one look at the name itself (lstat) says, where lookups that fail are cheap (`exists`):
 * `absent` — nothing there, not even a dangling link (a file yet to be created, the common
 * case), so neither realpath nor a second look at it is needed; `plain` — there and no link, so
 * realpath needs no existence test first; `unknown` — a link, or no cheap look.
 */
function lookAt(path: string, fs: PathFs): 'absent' | 'plain' | 'unknown' {
  if (fs.exists === undefined) return 'unknown';
  const link = fs.isSymlink(path);
  return link === undefined ? 'absent' : link ? 'unknown' : 'plain';
}

function longestExisting(path: string, walk: Walk): PathResult {
  const look = lookAt(path, walk.fs);
  if (look !== 'absent') {
    const whole = tryRealpath(path, walk.fs, look === 'plain');
    if (whole.state === 'real') return found(whole.path);
    if (whole.state === 'loop') return refused(LOOP);
  }
  const split = splitExisting(path, walk);
  if (!split.ok) return split;
  const { existing, missing } = split;
  const api = pathApi(walk.flavor);
  const [first, ...rest] = missing;
  if (first === undefined) return found(existing);
  const candidate = api.join(existing, first);
  // With one name missing, the candidate is the name looked at above, in its real folder.
  const isLink = look === 'absent' && rest.length === 0 ? false : walk.fs.isSymlink(candidate);
  if (isLink !== true) return found(joinNames(candidate, rest, walk.flavor));

  // A dangling symlink: what it names is where a write through it would land.
  walk.hopsLeft -= 1;
  if (walk.hopsLeft < 0) return refused(LOOP);
  let target: string;
  try {
    target = walk.fs.readlink(candidate);
  } catch {
    return found(joinNames(candidate, rest, walk.flavor));
  }
  let followed: PathResult;
  if (walk.flavor === 'win32') {
    const normal = normalizeWin32(target, existing);
    followed = normal.ok ? longestExisting(normal.path, walk) : normal;
  } else {
    followed = physical(target.startsWith('/') ? target : `${existing}/${target}`, walk);
  }
  return followed.ok ? found(joinNames(followed.path, rest, walk.flavor)) : followed;
}

type Split = { ok: true; existing: string; missing: string[] } | { ok: false; reason: string };

/** The real path of the deepest existing ancestor, and the names below it that do not exist. */
function splitExisting(path: string, walk: Walk): Split {
  const api = pathApi(walk.flavor);
  const parent = api.dirname(path);
  if (parent !== path) {
    // The common case: a new file in an existing folder.
    const up = tryRealpath(parent, walk.fs);
    if (up.state === 'real') return { ok: true, existing: up.path, missing: [api.basename(path)] };
    if (up.state === 'loop') return { ok: false, reason: LOOP };
  }
  // Top down, so a long made-up tail costs one lookup, not one per name.
  const root = api.parse(path).root;
  const names = path.slice(root.length).split(separatorOf(walk.flavor)).filter(Boolean);
  const top = tryRealpath(root, walk.fs);
  let existing = top.state === 'real' ? top.path : root;
  let prefix = root;
  for (let index = 0; index < names.length; index += 1) {
    prefix = api.join(prefix, names[index]!);
    const real = tryRealpath(prefix, walk.fs);
    if (real.state === 'loop') return { ok: false, reason: LOOP };
    if (real.state === 'missing') return { ok: true, existing, missing: names.slice(index) };
    existing = real.path;
  }
  return { ok: true, existing, missing: [] };
}

function joinNames(base: string, names: readonly string[], flavor: PathFlavor): string {
  if (names.length === 0) return base;
  return pathApi(flavor).join(base, names.join(separatorOf(flavor)));
}
