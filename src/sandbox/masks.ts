/**
 * What must be hidden inside the folders a sandbox makes visible: existing files and folders
 * matching a `paths.deny` glob (by real path), and every unix socket (under `network: deny` a
 * visible socket is still a way out). Found by walking those folders once per launch, within a
 * budget; `node_modules` and `.git` are matched but not entered.
 */
import { posix } from 'node:path';
import { loadPicomatch } from '../policy/globs.js';
import type { FsView } from './fs-view.js';
import { isWithin } from '../policy/paths/within.js';

export interface MaskInput {
  /** Real paths of the visible host folders (or files) to search. */
  walk: readonly string[];
  /** `paths.deny` globs. */
  deny: readonly string[];
  /** Every path the sandbox shows from the host (a symlink's target is masked only if visible). */
  visible: readonly string[];
  /** Most entries examined in all; past it the walk stops and says so. */
  budget: number;
  /** Folders not searched (hidden as a whole anyway). */
  skip: readonly string[];
}

export interface Masks {
  /** Hidden behind an empty read-only file. */
  files: string[];
  /** Hidden behind an empty read-only folder. */
  dirs: string[];
  /**
   * What the user's own tools run unconfined, kept read-only inside a root: git's hooks and
   * config (run by every git command), editor folders (`.vscode`, `.idea`: tasks, launch
   * configurations) and direnv's `.envrc`.
   */
  runnable: string[];
  /** Set when the budget ran out: what was not searched. */
  incomplete: string | null;
}

const NOT_ENTERED = new Set(['node_modules', '.git']);
/** Entries, anywhere, that the user's tools run; in a `.git` folder, `RUN_IN_GIT`. */
const RUNNABLE = new Set(['.vscode', '.idea', '.envrc']);
const RUN_IN_GIT = ['hooks', 'config'];

/** Why: deny globs and sockets are enforced by the OS only if every match is masked at launch. */
export function findMasks(input: MaskInput, fs: FsView): Masks {
  const denied =
    input.deny.length === 0
      ? () => false
      : loadPicomatch()(
          input.deny.map((glob) => (glob.includes('/') ? glob : `**/${glob}`)),
          { dot: true },
        );
  const files = new Set<string>();
  const dirs = new Set<string>();
  const runnable = new Set<string>();
  let left = input.budget;
  let incomplete: string | null = null;

  const mask = (path: string, kind: string | null): void => {
    if (kind === 'dir') dirs.add(path);
    else if (kind !== null) files.add(path);
  };
  const visit = (path: string, kind: string | null): boolean => {
    const name = posix.basename(path);
    if (RUNNABLE.has(name) && kind !== 'symlink') runnable.add(path);
    if (name === '.git' && kind === 'dir') {
      for (const inner of RUN_IN_GIT) {
        const kept = posix.join(path, inner);
        if (fs.lstat(kept) !== null) runnable.add(kept);
      }
    }
    if (kind === 'socket') {
      files.add(path);
      return false;
    }
    if (kind === 'symlink') {
      if (!denied(path)) return false;
      const target = fs.realpath(path);
      if (target !== null && input.visible.some((v) => isWithin(target, v))) {
        mask(target, fs.stat(target));
      }
      return false;
    }
    if (denied(path)) {
      mask(path, kind);
      return false;
    }
    return kind === 'dir';
  };
  const walk = (dir: string): void => {
    for (const entry of fs.readdir(dir)) {
      if (incomplete !== null) return;
      if (--left < 0) {
        incomplete = `deny masks incomplete: more than ${input.budget} entries to search (stopped in ${dir})`;
        return;
      }
      const path = posix.join(dir, entry.name);
      if (visit(path, entry.kind) && !NOT_ENTERED.has(entry.name) && !input.skip.includes(path)) {
        walk(path);
      }
    }
  };
  for (const start of input.walk) {
    if (incomplete !== null) break;
    if (input.skip.some((skipped) => isWithin(start, skipped))) continue;
    if (visit(start, fs.lstat(start)) && !NOT_ENTERED.has(posix.basename(start))) walk(start);
  }
  return {
    files: [...files].sort(),
    dirs: [...dirs].sort(),
    runnable: [...runnable].sort(),
    incomplete,
  };
}
