/**
 * Finding a confined server from the host: bubblewrap's outer process has one child, the
 * sandbox's init (pid 1 inside), which shares its process group with the server. mcp-guard
 * signals that group, because bubblewrap does not forward SIGTERM.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { livingProcesses } from './process-group.js';

/** The living pids whose parent is `parent`, from /proc/<pid>/stat lines. */
export function childrenOf(
  parent: number,
  entries: readonly string[],
  readStat: (pid: string) => string,
): number[] {
  return livingProcesses(entries, readStat, (stat) => stat.ppid === parent);
}

/** Why: the live children of a process (Linux /proc); empty where /proc cannot be read. */
export function liveChildren(parent: number): number[] {
  try {
    return childrenOf(parent, readdirSync('/proc'), (pid) =>
      readFileSync(`/proc/${pid}/stat`, 'utf8'),
    );
  } catch {
    return [];
  }
}
