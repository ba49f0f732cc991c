/**
 * A SandboxView as Landlock path rules. Landlock only grants: a rule on a folder covers all that
 * lies beneath it, and rights add up along the path. So a folder that holds something the server
 * must see less of (a deny match, the state folder, the audit log, the manifest that must stay
 * read-only, a read-only path inside a root) is not granted as a whole: it is "carved" — the
 * folder itself may only be listed, and each of its other entries gets the folder's access by a
 * rule of its own, recursing toward the entry that needs less. The cost of carving: in a carved
 * folder nothing can be created, removed or renamed (an entry made there later would have no
 * rule), and a carved folder's subfolders can be listed (listing is inherited).
 */
import { posix } from 'node:path';
import type { FsView } from './fs-view.js';
import type { LandlockAccess } from './landlock-abi.js';
import type { LandlockRule } from './landlock-spec.js';
import { isWithin } from '../policy/paths/within.js';
import type { SandboxView } from './view.js';

/** Folders every program needs to read; the merged-/usr links lead into /usr. */
export const LANDLOCK_SYSTEM: readonly string[] = [
  '/usr',
  '/etc',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
];
/** The devices bubblewrap's minimal /dev offers, read-write. */
const DEVICES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'];

export interface RuleInput {
  view: SandboxView;
  /** The private temporary folder (TMPDIR), inside the cache. */
  tmpDir: string;
  /** Most directory entries read while carving. */
  budget: number;
  /** Under `network: allow`, resolv.conf's real file when it lies outside /etc. */
  network: 'allow' | 'deny';
}

export type RuleResult = { rules: LandlockRule[] } | { refusal: string };

/** The system folders that exist here, by real path (a merged-/usr link adds nothing). */
export function landlockSystem(fs: FsView): string[] {
  const found = LANDLOCK_SYSTEM.flatMap((path) => (fs.lstat(path) === 'dir' ? [path] : []));
  return found.filter((path) => path === '/usr' || !isWithin(path, '/usr'));
}

/** Why: one rule list that shows exactly what the bubblewrap backend would show. */
export function landlockRules(input: RuleInput, fs: FsView): RuleResult {
  const { view } = input;
  const none = new Set<string>([
    ...view.masks.dirs,
    ...view.masks.files.filter((path) => fs.lstat(path) !== 'socket'),
    ...view.hidden.dirs,
    ...view.hidden.files,
    ...(view.stateDir === null ? [] : [view.stateDir]),
  ]);
  const readOnlyInRoots = view.readOnly.filter((ro) => view.roots.some((r) => isWithin(ro, r)));
  const lesser = (access: LandlockAccess): Map<string, LandlockAccess | null> => {
    const map = new Map<string, LandlockAccess | null>();
    if (access === 'write') {
      for (const path of [...view.protect, ...readOnlyInRoots]) map.set(path, 'read');
    }
    for (const path of none) map.set(path, null);
    return map;
  };

  const rules: LandlockRule[] = [];
  let left = input.budget;
  let refusal: string | null = null;
  const grant = (tree: string, access: LandlockAccess): void => {
    // Inside a hidden folder (bubblewrap masks it on top of whatever shows it): nothing.
    if ([...none].some((hidden) => hidden !== tree && isWithin(tree, hidden))) return;
    const inside = [...lesser(access)].filter(([path]) => isWithin(path, tree));
    const exact = inside.find(([path]) => path === tree);
    if (exact !== undefined) {
      if (exact[1] !== null) rules.push({ path: tree, access: exact[1] });
      return;
    }
    if (inside.length === 0) {
      rules.push({ path: tree, access });
      return;
    }
    carve(tree, access, new Map(inside));
  };
  const carve = (dir: string, access: LandlockAccess, specials: Map<string, string | null>) => {
    if (refusal !== null) return;
    if (![...none].some((hidden) => isWithin(dir, hidden)))
      rules.push({ path: dir, access: 'list' });
    for (const entry of fs.readdir(dir)) {
      if (--left < 0) {
        refusal = `the Landlock rules around what must stay hidden need more than ${input.budget} entries (stopped in ${dir})`;
        return;
      }
      const path = posix.join(dir, entry.name);
      if (entry.kind === 'symlink' || entry.kind === 'socket') continue;
      const special = specials.get(path);
      if (special !== undefined) {
        if (special !== null) rules.push({ path, access: special as LandlockAccess });
      } else if ([...specials.keys()].some((s) => isWithin(s, path)) && entry.kind === 'dir') {
        carve(path, access, specials);
      } else {
        rules.push({ path, access });
      }
    }
  };

  for (const path of landlockSystem(fs)) rules.push({ path, access: 'read' });
  rules.push({ path: '/proc', access: 'read' });
  for (const path of DEVICES) if (fs.lstat(path) !== null) rules.push({ path, access: 'device' });
  if (input.network === 'allow') {
    const resolv = fs.realpath('/etc/resolv.conf');
    if (resolv !== null && !isWithin(resolv, '/etc')) rules.push({ path: resolv, access: 'read' });
  }
  for (const path of view.program) grant(path, 'read');
  for (const path of view.readOnly) grant(path, 'read');
  for (const path of view.roots) grant(path, 'write');
  rules.push({ path: view.cacheDir, access: 'write' });
  if (!isWithin(input.tmpDir, view.cacheDir)) rules.push({ path: input.tmpDir, access: 'write' });
  return refusal === null ? { rules } : { refusal };
}
