/**
 * Guards against mcp-guard itself being SIGKILLed: a tiny `sh` holds the read end of a pipe whose
 * write end only mcp-guard has. When mcp-guard dies for any reason the pipe reaches EOF and the
 * watchdog SIGKILLs the server's whole process group, so not even a server that ignores stdin EOF
 * outlives it. It gets none of mcp-guard's own stdio, so it never holds the client's pipes.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = 'read _; kill -s KILL -- "-$1" 2>/dev/null';

export interface Watchdog {
  /** Ends the watchdog without it killing anything (normal shutdown). */
  dismiss(): void;
}

export function startWatchdog(processGroup: number): Watchdog {
  if (process.platform === 'win32') return { dismiss: () => undefined };
  let child: ChildProcess | null = spawn(
    '/bin/sh',
    ['-c', SCRIPT, 'mcp-guard-watchdog', String(processGroup)],
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
