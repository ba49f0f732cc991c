/**
 * mcp-guard's state folder (`.mcp-guard/` beside a manifest; the user's state folder for ad-hoc
 * runs), made before anything is written to it, so that a folder that cannot be made is reported
 * as such — which folder, why, and how to put it elsewhere — instead of as the first failed write
 * deep inside the audit log or the launch. `.mcp-guard/` ignores itself in git, and holds the
 * lock of a running `up`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ResolvedManifest } from '../config/types.js';
import { GuardError } from '../errors.js';

/** Written into `.mcp-guard/` when it has none: git (and tools that read it) skip the folder. */
const IGNORE_ALL = '# mcp-guard state: audit log, status, caches; never committed\n*\n';

/** Why: the folder, made if missing (with its `.gitignore`), or a GuardError naming the fix. */
export function ensureStateDir(manifest: Pick<ResolvedManifest, 'file' | 'stateDir'>): void {
  const dir = manifest.stateDir;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new GuardError('ERR_SPAWN', cannotCreate(dir, err as NodeJS.ErrnoException, manifest), {
      cause: err,
    });
  }
  if (basename(dir) === '.mcp-guard') {
    try {
      writeFileSync(join(dir, '.gitignore'), IGNORE_ALL, { flag: 'wx' });
    } catch {
      // Someone wrote one first, or the folder refuses files: the writes after this one say so.
    }
  }
}

function cannotCreate(
  dir: string,
  err: NodeJS.ErrnoException,
  manifest: Pick<ResolvedManifest, 'file'>,
): string {
  const blocking = nearestExisting(dir);
  const why =
    err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS'
      ? `${blocking} is not writable (${err.code})`
      : err.code === 'ENOTDIR' || err.code === 'EEXIST'
        ? `${blocking} is not a folder (${err.code})`
        : `${err.code ?? err.message} below ${blocking}`;
  const fix =
    manifest.file === null
      ? 'set XDG_STATE_HOME to a writable folder (it keeps the audit log and state of runs without a manifest)'
      : `make ${dir} writable, or use a manifest in a writable folder (the state folder is .mcp-guard/ beside it)`;
  return `could not create mcp-guard's state folder ${dir}: ${why}; ${fix}`;
}

/**
 * Why: two `up` of one manifest would start every server twice. The first holds
 * `<stateDir>/up.pid` (its pid) until it ends; a second refuses, naming it. A file whose process is
 * gone (killed, crashed) is stale and taken over. Returns the release.
 */
export function lockUp(stateDir: string, alive: (pid: number) => boolean): () => void {
  const path = join(stateDir, 'up.pid');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        if (readPid(path) === process.pid) rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readPid(path);
    if (holder !== null && holder !== process.pid && alive(holder)) {
      throw new GuardError(
        'ERR_LOCK',
        `'up' is already running for this manifest (pid ${holder}): its servers are up, see 'mcp-guard status'; stop it first to start them again`,
      );
    }
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new GuardError('ERR_LOCK', `could not take ${path}: another 'up' keeps replacing it`);
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The deepest part of `dir` that exists: where making the rest failed. */
function nearestExisting(dir: string): string {
  let path = dir;
  while (!existsSync(path) && dirname(path) !== path) path = dirname(path);
  return path;
}
