/**
 * The decision on resolved paths: `paths.roots` (read-write), `paths.readOnly` (only for read-only
 * uses), `paths.deny` (always wins). Roots and read-only folders are resolved once, at creation:
 * by their real path (a symlinked root) and as configured, each with its filesystem's case rule.
 *
 * Containment is segment-wise (`/root-evil` is not under `/root`). When a path is under several
 * folders the deepest decides, so a read-only folder inside a root stays read-only. With neither
 * roots nor read-only folders, paths are not confined and only `deny` applies.
 */
import { posix } from 'node:path';
import { detectIgnoresCase, foldCase } from './case-folding.js';
import { compileDenyGlobs } from './deny-globs.js';
import { flavorOf, separatorOf, type PathFlavor } from './flavor.js';
import type { PathFs } from './path-fs.js';
import { resolveReal } from './real-path.js';
import { normalizeWin32 } from './win32-path.js';

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
  /** The configured and the real path, case-folded when the filesystem ignores case. */
  keys: readonly string[];
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
    const fold = ignoresCase ? foldCase : (path: string) => path;
    return { kind, shown, ignoresCase, keys: [...new Set([fold(shown), fold(real)])] };
  };
  const folders = [
    ...policy.roots.map((root) => folder('root', root)),
    ...policy.readOnly.map((dir) => folder('readOnly', dir)),
  ];
  const deny = compileDenyGlobs(policy.deny, flavor);
  const listed = (kind: Folder['kind']) =>
    folders
      .filter((entry) => entry.kind === kind)
      .map((entry) => entry.shown)
      .join(', ');
  const outside =
    policy.roots.length > 0
      ? `outside the allowed roots (${listed('root')})`
      : `outside the read-only paths (${listed('readOnly')}), and no roots are set`;

  /** The deepest folder holding `path`; a read-only folder wins a tie. */
  const holder = (path: string): Folder | undefined => {
    let best: Folder | undefined;
    let bestDepth = -1;
    const folded = foldCase(path);
    for (const entry of folders) {
      const subject = entry.ignoresCase ? folded : path;
      for (const key of entry.keys) {
        if (!isWithin(subject, key, separator)) continue;
        if (key.length > bestDepth || (key.length === bestDepth && entry.kind === 'readOnly')) {
          best = entry;
          bestDepth = key.length;
        }
      }
    }
    return best;
  };

  return {
    confined: folders.length > 0,
    decide(forms, readOnlyUse) {
      for (const path of forms) {
        const entry = folders.length > 0 ? holder(path) : undefined;
        if (folders.length > 0) {
          if (entry === undefined) return { allowed: false, path, why: outside };
          if (entry.kind === 'readOnly' && !readOnlyUse)
            return {
              allowed: false,
              path,
              why: `under the read-only path ${entry.shown}, which only tools annotated readOnlyHint: true may use`,
            };
        }
        const glob = deny.match(path);
        if (glob !== undefined)
          return { allowed: false, path, why: `denied by the paths.deny glob "${glob}"` };
      }
      return ALLOWED;
    },
  };
}

/** Segment-wise: `dir` itself or anything below it; `/root-evil` is not under `/root`. */
export function isWithin(path: string, dir: string, separator: string): boolean {
  if (path === dir) return true;
  const prefix = dir.endsWith(separator) ? dir : dir + separator;
  return path.startsWith(prefix);
}

function normalizeFolder(dir: string, flavor: PathFlavor): string {
  if (flavor === 'posix') return posix.resolve(dir);
  const normal = normalizeWin32(dir, dir);
  return normal.ok ? normal.path : dir;
}
