/**
 * Guards against mcp-guard itself being SIGKILLed: a tiny `sh` holds the read end of a pipe whose
 * write end only mcp-guard has. When mcp-guard dies for any reason the pipe reaches EOF and the
 * watchdog SIGKILLs the server's whole process group, so not even a server that ignores stdin EOF
 * outlives it; then, given the launch's tree mark (tree-mark.ts), every process whose environment
 * carries it, until none is left: those that left the group too. Each is stopped first and its
 * mark read again before the SIGKILL, so a reused pid is only continued. It gets none of
 * mcp-guard's own stdio, so it never holds the client's pipes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { TREE_MARK_VAR } from './tree-mark.js';

/**
 * $1: the process group; $2: `NAME=mark`, or empty. One grep reads every environ at once (its
 * status is 2 when some are not ours to read, so only its output counts).
 */
const SCRIPT = `read _; kill -s KILL -- "-$1" 2>/dev/null
[ -n "$2" ] || exit 0
n=0
while [ $n -lt 50 ]; do
  n=$((n + 1))
  found=$(grep -lzxF -e "$2" /proc/[0-9]*/environ 2>/dev/null)
  [ -n "$found" ] || exit 0
  for f in $found; do p=\${f#/proc/}; p=\${p%/environ}
    kill -s STOP "$p" 2>/dev/null || continue
    if grep -qzxF -e "$2" "$f" 2>/dev/null; then kill -s KILL "$p"; else kill -s CONT "$p"; fi
  done
done`;

export interface Watchdog {
  /** Ends the watchdog without it killing anything (normal shutdown). */
  dismiss(): void;
}

/** `mark`: the launch's tree mark where its environment can be searched (Linux), else null. */
export function startWatchdog(processGroup: number, mark: string | null = null): Watchdog {
  if (process.platform === 'win32') return { dismiss: () => undefined };
  const marked = mark === null ? '' : `${TREE_MARK_VAR}=${mark}`;
  let child: ChildProcess | null = spawn(
    '/bin/sh',
    ['-c', SCRIPT, 'mcp-guard-watchdog', String(processGroup), marked],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    },
  );
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  const stdin = child.stdin as unknown as { unref?: () => void } | null;
  stdin?.unref?.();
  return {
    dismiss() {
      child?.kill('SIGKILL');
      child = null;
    },
  };
}
