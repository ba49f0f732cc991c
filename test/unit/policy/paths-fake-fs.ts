/**
 * An in-memory filesystem for the path policy's unit tests: folders, files and symlinks, POSIX or
 * Windows rules, case-sensitive or not, resolved the way a kernel resolves them (symlinks before
 * `..`, chains, loops → ELOOP, a file in the middle → ENOTDIR). It counts its calls, so tests can
 * show when the filesystem is (not) touched.
 */
import { posix, win32 } from 'node:path';
import type { PathFs } from '../../../src/policy/paths/path-fs.js';

export type FakeEntry = 'dir' | 'file' | { link: string };

export interface FakeFsOptions {
  flavor?: 'posix' | 'win32';
  /** Names match whatever their case (NTFS, APFS, HFS+). */
  ignoreCase?: boolean;
  /** With ignoreCase: realpath keeps the caller's spelling instead of the stored one. */
  keepCallerCase?: boolean;
}

export interface FakeFs extends PathFs {
  calls: number;
}

const fail = (code: string, path: string): never => {
  throw Object.assign(new Error(`${code}: ${path}`), { code });
};

export function fakeFs(entries: Record<string, FakeEntry>, options: FakeFsOptions = {}): FakeFs {
  const api = options.flavor === 'win32' ? win32 : posix;
  const sep = options.flavor === 'win32' ? '\\' : '/';
  const key = (path: string) => (options.ignoreCase ? path.toLowerCase() : path);
  const table = new Map<string, { path: string; entry: FakeEntry }>();
  const add = (path: string, entry: FakeEntry) => {
    const parent = api.dirname(path);
    if (parent !== path && !table.has(key(parent))) add(parent, 'dir');
    table.set(key(path), { path, entry });
  };
  for (const [path, entry] of Object.entries(entries)) add(path, entry);

  /** Resolves `path`; `followLast`: follow a symlink in the last position. */
  const lookup = (path: string, followLast: boolean) => {
    let hops = 0;
    const root = api.parse(path).root;
    let names = path
      .slice(root.length)
      .split(/[\\/]/)
      .filter((name) => name !== '');
    let current = root;
    let spelled = root;
    if (!table.has(key(root)) && root !== '/') fail('ENOENT', path);
    while (names.length > 0) {
      const [name, ...rest] = names as [string, ...string[]];
      names = rest;
      if (name === '.') continue;
      if (name === '..') {
        current = api.dirname(current);
        spelled = api.dirname(spelled);
        continue;
      }
      const next = current.endsWith(sep) ? current + name : current + sep + name;
      const found = table.get(key(next));
      if (found === undefined) fail('ENOENT', path);
      const { entry, path: stored } = found!;
      if (typeof entry === 'object' && (rest.length > 0 || followLast)) {
        hops += 1;
        if (hops > 40) fail('ELOOP', path);
        const targetRoot = api.parse(entry.link).root;
        names = [...entry.link.slice(targetRoot.length).split(/[\\/]/), ...rest].filter(Boolean);
        if (targetRoot !== '') {
          current = targetRoot;
          spelled = targetRoot;
        }
        continue;
      }
      if (entry === 'file' && rest.length > 0) fail('ENOTDIR', path);
      current = stored;
      spelled = spelled.endsWith(sep) ? spelled + name : spelled + sep + name;
    }
    return { canonical: current, spelled, entry: table.get(key(current))?.entry ?? 'dir' };
  };

  const fs: FakeFs = {
    calls: 0,
    realpath(path) {
      fs.calls += 1;
      const found = lookup(path, true);
      return options.ignoreCase && options.keepCallerCase ? found.spelled : found.canonical;
    },
    isSymlink(path) {
      fs.calls += 1;
      try {
        return typeof lookup(path, false).entry === 'object';
      } catch {
        return undefined;
      }
    },
    readlink(path) {
      fs.calls += 1;
      const { entry } = lookup(path, false);
      return typeof entry === 'object' ? entry.link : fail('EINVAL', path);
    },
    fileId(path) {
      fs.calls += 1;
      try {
        return key(lookup(path, true).canonical);
      } catch {
        return undefined;
      }
    },
  };
  return fs;
}
