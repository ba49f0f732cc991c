/**
 * Replacing a file so that a reader sees the old content or the new, never half of one: the text
 * goes to a temporary file beside it, which is then renamed over it. Used for the pin lock, the
 * status files and the parse cache.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export interface AtomicWriteOptions {
  /** The new file's mode (e.g. 0o600); each write creates it anew, so give it every time. */
  mode?: number;
  /** The temporary file's name; by default the file's own with this process's pid and `.tmp`. */
  temporary?: string;
}

/** Why: one atomic replace; a failed write removes its temporary file and throws. */
export function writeFileAtomic(
  file: string,
  text: string,
  options: AtomicWriteOptions = {},
): void {
  const temporary = options.temporary ?? `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, options.mode === undefined ? {} : { mode: options.mode });
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
