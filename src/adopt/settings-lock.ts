/**
 * Cline's lock on its settings file, honoured: Cline (its extension, CLI and core) takes
 * `<settings>.lock`, a directory holding an `owner.<token>` file, made whole in a staging
 * directory and renamed into place; a lock older than 10 s is a crashed owner's and is taken
 * over (sdk/packages/core/src/extensions/mcp/config-loader.ts). mcp-guard takes the same lock the
 * same way around its read-edit-write of that file, so neither side loses the other's change.
 */
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GuardError } from '../errors.js';

/** Cline's own numbers: a lock this old is stale; how often a held lock is looked at again. */
export const STALE_MS = 10_000;
const POLL_MS = 25;

interface Held {
  dir: string;
  owner: string;
}

function tryAcquire(dir: string, token: string): Held | undefined {
  const staging = `${dir}.tmp.${token}`;
  mkdirSync(staging, { recursive: true });
  const owner = `owner.${token}`;
  writeFileSync(join(staging, owner), token, { flag: 'wx' });
  try {
    renameSync(staging, dir);
    return { dir, owner: join(dir, owner) };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(dir)) return undefined;
    throw err;
  }
}

function reclaimIfStale(dir: string, now: number): void {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat === undefined || now - stat.mtimeMs < STALE_MS) return;
  const aside = `${dir}.stale.${process.pid}.${randomUUID()}`;
  try {
    renameSync(dir, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  rmSync(aside, { recursive: true, force: true });
}

function release(held: Held): void {
  rmSync(held.owner, { force: true });
  try {
    rmdirSync(held.dir);
  } catch {
    // Another owner's marker is in it (a takeover): theirs now.
  }
}

/** Why: runs `body` while holding the settings file's lock; waits (up to `timeoutMs`) for a holder. */
export async function withSettingsLock<T>(
  file: string,
  body: () => T,
  timeoutMs = STALE_MS + 5_000,
): Promise<T> {
  const dir = `${file}.lock`;
  mkdirSync(dirname(dir), { recursive: true });
  const token = `${process.pid}.${Date.now()}.${randomUUID()}`;
  const deadline = Date.now() + timeoutMs;
  let held: Held | undefined;
  while ((held = tryAcquire(dir, token)) === undefined) {
    if (Date.now() > deadline) {
      throw new GuardError(
        'ERR_LOCK',
        `${file} is locked by another program (${dir}); nothing was changed`,
      );
    }
    reclaimIfStale(dir, Date.now());
    await delay(POLL_MS);
  }
  try {
    return body();
  } finally {
    release(held);
  }
}
