/**
 * Writing a client's config file safely: under Cline's lock for Cline's file, only if the file is
 * still what the change was planned from, after a timestamped backup beside it, atomically (a
 * temporary file renamed over it, the file's mode kept). Backups are what `uninstall` restores
 * from, newest first.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { GuardError } from '../errors.js';
import type { ClientLocation } from './client-paths.js';
import { withSettingsLock } from './settings-lock.js';

const MARK = '.mcp-guard-backup-';

/** Why: sortable by name, and never two alike in one process (the time goes to the millisecond). */
export function backupPath(file: string, now: Date): string {
  return `${file}${MARK}${now.toISOString().replace(/[:.]/g, '-')}`;
}

/** The backups of `file`, newest first. */
export function listBackups(file: string): string[] {
  const prefix = basename(file) + MARK;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix))
    .sort()
    .reverse()
    .map((name) => join(dirname(file), name));
}

export interface ClientWrite {
  location: ClientLocation;
  /** The text the change was computed from. */
  before: string;
  after: string;
  now: Date;
}

/** Why: the one way a client's file is replaced; resolves to the backup's path. */
export async function writeClientFile(change: ClientWrite): Promise<string> {
  const file = change.location.path;
  const write = (): string => {
    const current = readFileSync(file, 'utf8');
    if (current !== change.before) {
      throw new GuardError(
        'ERR_WRITE',
        `${file} changed while mcp-guard was reading it; nothing was changed, run the command again`,
      );
    }
    const mode = statSync(file).mode & 0o777;
    const backup = backupPath(file, change.now);
    writeFileSync(backup, current, { mode, flag: 'wx' });
    writeFileAtomic(file, change.after, { mode });
    return backup;
  };
  try {
    return change.location.client === 'cline' ? await withSettingsLock(file, write) : write();
  } catch (err) {
    if (err instanceof GuardError) throw err;
    throw new GuardError('ERR_WRITE', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
