/**
 * Reading an audit file as it grows, for `mcp-guard logs` and `logs -f`: each `read()` delivers
 * the complete lines appended since the last one. A file that shrinks or is replaced (rotation)
 * is read again from its start; a missing file is simply empty until it appears.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { LineBuffer } from './lines.js';

const CHUNK_BYTES = 64 * 1024;

/** Why: lines come with their 1-based line number, so junk can be pointed at. */
export type OnLines = (lines: Buffer[], firstLine: number) => void;

/** Why: one reader for the whole-file pass and for following. */
export class AuditFileTail {
  readonly file: string;
  readonly #onLines: OnLines;
  readonly #onReset: () => void;
  readonly #buffer = new LineBuffer();
  #offset = 0;
  #lineCount = 0;
  #identity: string | undefined;
  #reading: Promise<void> | undefined;
  #again = false;

  constructor(file: string, onLines: OnLines, onReset: () => void = () => undefined) {
    this.file = file;
    this.#onLines = onLines;
    this.#onReset = onReset;
  }

  /** Reads to the current end of the file; concurrent calls coalesce into one more pass. */
  read(): Promise<void> {
    if (this.#reading !== undefined) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      try {
        do {
          this.#again = false;
          await this.#readOnce();
        } while (this.#again);
      } finally {
        this.#reading = undefined;
      }
    })();
    return this.#reading;
  }

  /** Resolves once no read is in progress (failures were reported by the read itself). */
  async settled(): Promise<void> {
    await this.#reading?.catch(() => undefined);
  }

  async #readOnce(): Promise<void> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      const stat = await handle.stat();
      const identity = `${stat.dev}:${stat.ino}`;
      if (
        this.#identity !== undefined &&
        (identity !== this.#identity || stat.size < this.#offset)
      ) {
        this.#offset = 0;
        this.#lineCount = 0;
        this.#buffer.reset();
        this.#onReset();
      }
      this.#identity = identity;
      const chunk = Buffer.alloc(CHUNK_BYTES);
      while (this.#offset < stat.size) {
        const length = Math.min(CHUNK_BYTES, stat.size - this.#offset);
        const { bytesRead } = await handle.read(chunk, 0, length, this.#offset);
        if (bytesRead === 0) break;
        this.#offset += bytesRead;
        const lines = this.#buffer.push(Buffer.from(chunk.subarray(0, bytesRead)));
        if (lines.length > 0) {
          this.#onLines(lines, this.#lineCount + 1);
          this.#lineCount += lines.length;
        }
      }
    } finally {
      await handle.close();
    }
  }
}

/**
 * Why: `logs -f` — reads now, then again whenever the file's folder reports a change (and on a
 * slow poll, for filesystems whose events are unreliable), until `signal` aborts.
 */
export async function followAuditFile(
  tail: AuditFileTail,
  signal: AbortSignal,
  onFailure: (err: unknown) => void,
  pollMs = 1000,
): Promise<void> {
  const poke = (): void => {
    tail.read().catch(onFailure);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(tail.file), (_event, name) => {
      if (name === null || name === path.basename(tail.file)) poke();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined; // The folder does not exist yet: the poll notices the file appear.
  }
  const timer = setInterval(poke, pollMs);
  try {
    await tail.read();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    clearInterval(timer);
    watcher?.close();
    await tail.settled();
  }
}
