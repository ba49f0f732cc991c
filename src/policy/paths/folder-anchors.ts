/**
 * Restrictions that follow their folder (POSIX hosts). A read-only folder, and the deepest
 * existing folder named by an anchored deny glob (`/home/me/.ssh` for `/home/me/.ssh/id_*`,
 * `/w/p` for `/w/p/.env`), are followed by identity from the moment the policy is built
 * (folder-tracker.ts). While such a folder sits where the manifest names it, the path rules
 * cover it; once it, or a folder above it, is renamed or moved (or it turns out to be reached
 * through a symlink), a path below its new place is read-only, or matched against the rest of
 * the glob, all the same. A folder that does not exist when the policy is built is matched by
 * path alone.
 */
import { isWithin } from './within.js';
import { posix } from 'node:path';
import { loadPicomatch } from '../globs.js';
import { equivalenceKey } from './case-folding.js';
import { compileGlob, expandGlob, isAnchored } from './deny-globs.js';
import type { FolderPlace, FolderTracker } from './folder-tracker.js';
import type { PathFs } from './path-fs.js';

interface Anchor {
  tracker: FolderTracker;
  /** Where the path rules already cover the folder: no second look needed there. */
  home: readonly string[];
  /** A read-only folder: its path as configured. */
  readOnly?: string;
  /** An anchored deny glob: as configured, and the test of the rest of it below the folder. */
  deny?: { glob: string; test: (rest: string) => boolean };
}

/** Where a path lies below a followed folder: that folder's depth, and the rest of the path. */
interface Below {
  depth: number;
  place: string;
  rest: string;
}

export interface AnchorView {
  /** A read-only folder, moved, that holds `path` at `minDepth` segments or deeper. */
  readOnlyHolding(path: string, minDepth: number): { shown: string; place: string } | undefined;
  /** The anchored deny glob that denies `path` below its folder's new place. */
  denyingGlob(path: string): string | undefined;
}

export interface FolderAnchors {
  /** The anchors' places for one decision, each asked at most once. */
  look(): AnchorView;
}

export function createFolderAnchors(
  readOnly: readonly { shown: string; paths: readonly string[] }[],
  denyGlobs: readonly string[],
  fs: PathFs,
): FolderAnchors | undefined {
  const track = fs.trackFolder?.bind(fs);
  if (track === undefined) return undefined;
  const anchors: Anchor[] = [];
  for (const folder of readOnly) {
    const tracker = track(folder.paths[folder.paths.length - 1]!);
    if (tracker !== undefined)
      anchors.push({ tracker, home: folder.paths, readOnly: folder.shown });
  }
  for (const glob of denyGlobs) {
    const anchor = denyAnchor(glob, track);
    if (anchor !== undefined) anchors.push(anchor);
  }
  if (anchors.length === 0) return undefined;
  return {
    look() {
      const places: (FolderPlace | undefined)[] = [];
      const below = (index: number, path: string): Below | undefined => {
        const anchor = anchors[index]!;
        const place = (places[index] ??= anchor.tracker.where());
        if (place.state === 'gone') return undefined;
        if (place.state === 'at')
          return anchor.home.includes(place.path) ? undefined : belowPlace(path, place.path);
        return belowIdentity(path, anchor.tracker.id, fs);
      };
      return {
        readOnlyHolding(path, minDepth) {
          for (let index = 0; index < anchors.length; index += 1) {
            const shown = anchors[index]!.readOnly;
            if (shown === undefined) continue;
            const found = below(index, path);
            if (found !== undefined && found.depth >= minDepth)
              return { shown, place: found.place };
          }
          return undefined;
        },
        denyingGlob(path) {
          for (let index = 0; index < anchors.length; index += 1) {
            const deny = anchors[index]!.deny;
            if (deny === undefined) continue;
            const found = below(index, path);
            if (found !== undefined && deny.test(`/${found.rest}`)) return deny.glob;
          }
          return undefined;
        },
      };
    },
  };
}

/** The deepest existing folder of an anchored glob's literal start, with the rest of the glob. */
function denyAnchor(
  glob: string,
  track: (path: string) => FolderTracker | undefined,
): Anchor | undefined {
  const [pattern] = expandGlob(glob, 'posix');
  if (pattern === undefined || !isAnchored(pattern) || !pattern.startsWith('/')) return undefined;
  let folder = loadPicomatch().scan(pattern).base || '/';
  for (; folder !== '/'; folder = posix.dirname(folder)) {
    const tracker = track(folder);
    if (tracker === undefined) continue;
    const rest = pattern.slice(folder.length + 1);
    return { tracker, home: [folder], deny: { glob, test: compileGlob([`/${rest || '**'}`]) } };
  }
  return undefined;
}

function belowPlace(path: string, place: string): Below | undefined {
  const subject = equivalenceKey(path);
  const key = equivalenceKey(place);
  const depth = depthOf(place);
  if (!isWithin(subject, key)) return undefined;
  const rest =
    subject === key ? '' : subject.slice(key.endsWith('/') ? key.length : key.length + 1);
  return { depth, place, rest };
}

/** Where the place cannot be read: the folders on the way of `path`, asked for their identity. */
function belowIdentity(path: string, id: string, fs: PathFs): Below | undefined {
  const names = path.split('/').filter((name) => name !== '');
  let prefix = '';
  for (let index = 0; index < names.length; index += 1) {
    prefix += `/${names[index]!}`;
    const found = fs.fileId(prefix);
    if (found === undefined) return undefined;
    if (found === id)
      return { depth: index + 1, place: prefix, rest: names.slice(index + 1).join('/') };
  }
  return undefined;
}

/** How many names a POSIX path has (`/` is 0, `/a/b` is 2). */
function depthOf(path: string): number {
  return path.split('/').filter((name) => name !== '').length;
}
