/**
 * The decision on resolved paths: `paths.roots` (read-write), `paths.readOnly` (only for read-only
 * uses), `paths.deny` (always wins). Roots and read-only folders are resolved once, at creation:
 * by their real path (a symlinked root) and as configured, each with its filesystem's case rule.
 *
 * Containment is segment-wise (`/root-evil` is not under `/root`). When a path is under several
 * folders the deepest decides, so a read-only folder inside a root stays read-only. With neither
 * roots nor read-only folders, paths are not confined and only `deny` applies.
 *
 * Roots allow, so they are compared exactly (ASCII case folded where their filesystem ignores
 * case): a near spelling may be another folder. Read-only folders and deny globs restrict, so
 * they match every equivalent spelling (case-folding.ts equivalenceKey), and they follow their
 * folder when it or an ancestor is renamed (folder-anchors.ts).
 */
import { posix } from 'node:path';
import { detectIgnoresCase, equivalenceKey, foldCase } from './case-folding.js';
import { compileDenyGlobs } from './deny-globs.js';
import { createFolderAnchors } from './folder-anchors.js';
import { flavorOf, separatorOf, type PathFlavor } from './flavor.js';
import type { PathFs } from './path-fs.js';
import { resolveReal } from './real-path.js';
import { normalizeWin32 } from './win32-path.js';
import { isWithin } from './within.js';

export interface PathPolicy {
  roots: readonly string[];
  readOnly: readonly string[];
  deny: readonly string[];
}

export interface RulesEnvironment {
  platform: NodeJS.Platform;
  fs: PathFs;
  /** Whether the filesystem of this (real) folder ignores case; default: ask the filesystem. */
  ignoresCase?: (realDir: string) => boolean;
}

export type Decision = { allowed: true } | { allowed: false; path: string; why: string };

export interface PathRules {
  /** Whether paths must be under a root or read-only folder (false: only deny globs apply). */
  readonly confined: boolean;
  /** Every form of one path argument must be allowed; `readOnlyUse`: may read-only folders serve. */
  decide(forms: readonly string[], readOnlyUse: boolean): Decision;
}

interface Folder {
  kind: 'root' | 'readOnly';
  /** As configured (normalised), for messages. */
  shown: string;
  ignoresCase: boolean;
  /** The configured and the real path. */
  paths: readonly string[];
  /**
   * The paths as compared: a root's case-folded when its filesystem ignores case, a read-only
   * folder's by equivalence key; each with its depth in names.
   */
  keys: readonly { key: string; depth: number }[];
}

const ALLOWED: Decision = Object.freeze({ allowed: true });

export function createPathRules(policy: PathPolicy, env: RulesEnvironment): PathRules {
  const flavor = flavorOf(env.platform);
  const separator = separatorOf(flavor);
  const folder = (kind: Folder['kind'], configured: string): Folder => {
    const shown = normalizeFolder(configured, flavor);
    const realResult = resolveReal(shown, env.fs, flavor);
    const real = realResult.ok ? realResult.path : shown;
    const ignoresCase = env.ignoresCase?.(real) ?? detectIgnoresCase(real, env.fs, env.platform);
    const fold = kind === 'readOnly' ? equivalenceKey : ignoresCase ? foldCase : same;
    const paths = [...new Set([shown, real])];
    const keys = [...new Set(paths.map(fold))].map((key) => ({
      key,
      depth: depthOf(key, separator),
    }));
    return { kind, shown, ignoresCase, paths, keys };
  };
  const folders = [
    ...policy.roots.map((root) => folder('root', root)),
    ...policy.readOnly.map((dir) => folder('readOnly', dir)),
  ];
  const deny = compileDenyGlobs(policy.deny, flavor);
  const readOnlyFolders = folders.filter((entry) => entry.kind === 'readOnly');
  const anchors =
    flavor === 'posix' ? createFolderAnchors(readOnlyFolders, policy.deny, env.fs) : undefined;
  const listed = (kind: Folder['kind']) =>
    folders
      .filter((entry) => entry.kind === kind)
      .map((entry) => entry.shown)
      .join(', ');
  const outside =
    policy.roots.length > 0
      ? `outside the allowed roots (${listed('root')})`
      : `outside the read-only paths (${listed('readOnly')}), and no roots are set`;

  /** The deepest folder holding `path`, and its depth; a read-only folder wins a tie. */
  const holder = (path: string): { entry: Folder; depth: number } | undefined => {
    let best: Folder | undefined;
    let bestDepth = -1;
    let folded: string | undefined;
    let equivalent: string | undefined;
    for (const entry of folders) {
      const subject =
        entry.kind === 'readOnly'
          ? (equivalent ??= equivalenceKey(path))
          : entry.ignoresCase
            ? (folded ??= foldCase(path))
            : path;
      for (const { key, depth } of entry.keys) {
        if (!isWithin(subject, key, separator)) continue;
        if (depth > bestDepth || (depth === bestDepth && entry.kind === 'readOnly')) {
          best = entry;
          bestDepth = depth;
        }
      }
    }
    return best === undefined ? undefined : { entry: best, depth: bestDepth };
  };
  const readOnlyRefusal = (path: string, shown: string, now = ''): Decision => ({
    allowed: false,
    path,
    why: `under the read-only path ${shown}${now}, which only tools annotated readOnlyHint: true may use`,
  });

  return {
    confined: folders.length > 0,
    decide(forms, readOnlyUse) {
      const view = anchors?.look();
      for (const path of forms) {
        if (folders.length > 0) {
          const held = holder(path);
          if (held === undefined) return { allowed: false, path, why: outside };
          if (!readOnlyUse) {
            if (held.entry.kind === 'readOnly') return readOnlyRefusal(path, held.entry.shown);
            const moved = view?.readOnlyHolding(path, held.depth);
            if (moved !== undefined)
              return readOnlyRefusal(path, moved.shown, ` (now at ${moved.place})`);
          }
        }
        const glob = deny.match(path) ?? view?.denyingGlob(path);
        if (glob !== undefined)
          return { allowed: false, path, why: `denied by the paths.deny glob "${glob}"` };
      }
      return ALLOWED;
    },
  };
}

const same = (path: string): string => path;

/** How many names an absolute path has (`/` is 0, `/a/b` 2; a drive or share counts as one). */
function depthOf(path: string, separator: string): number {
  return path.split(separator).filter((name) => name !== '').length;
}

function normalizeFolder(dir: string, flavor: PathFlavor): string {
  if (flavor === 'posix') return posix.resolve(dir);
  const normal = normalizeWin32(dir, dir);
  return normal.ok ? normal.path : dir;
}
