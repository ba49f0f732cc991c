/**
 * Finding a confined server from the host: bubblewrap's outer process has one child, the
 * sandbox's init (pid 1 inside), which shares its process group with the server. mcp-guard
 * signals that group, because bubblewrap does not forward SIGTERM.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The pids whose parent is `parent`, from /proc/<pid>/stat lines ("pid (comm) state ppid …"). */
export function childrenOf(
  parent: number,
  entries: readonly string[],
  readStat: (pid: string) => string,
): number[] {
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readStat(entry);
    } catch {
      continue; // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parent && fields[0] !== 'Z' && fields[0] !== 'X') {
      children.push(Number(entry));
    }
  }
  return children;
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
