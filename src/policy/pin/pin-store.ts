/**
 * One server's entry in `mcp-guard.lock`, as the pin check sees it: read again only when the
 * file changed (so `mcp-guard pin` run meanwhile takes effect at the client's next tools/list),
 * and written on first use.
 */
import { lockStamp, readLock, writeLockEntries, type PinnedTools } from './lock-file.js';

export interface PinStore {
  /** Where the lock is (for messages). */
  readonly file: string;
  /** The server's pinned tools; null when the lock has no entry for it. Throws if unreadable. */
  read(): PinnedTools | null;
  /** Records the server's tools (its first listing). Throws if the lock cannot be written. */
  write(tools: PinnedTools): void;
}

export function createFilePinStore(file: string, server: string): PinStore {
  let stamp: string | null | undefined;
  let cached: PinnedTools | null = null;
  return {
    file,
    read() {
      const now = lockStamp(file);
      if (now === stamp) return cached;
      const lock = readLock(file);
      cached =
        lock !== null && Object.hasOwn(lock.servers, server) ? lock.servers[server]!.tools : null;
      stamp = now;
      return cached;
    },
    write(tools) {
      writeLockEntries(file, { [server]: tools });
      stamp = undefined;
    },
  };
}
