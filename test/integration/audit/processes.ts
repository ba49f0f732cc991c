/** Child processes for the audit integration tests: run to completion, or wait for output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor, waitOn } from '../../helpers/wait.js';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Captured output of a running child, kept up to date as it arrives. */
export interface Watched {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the output so far satisfies `ready`; rejects after `timeoutMs` showing it. */
  waitFor: (
    what: string,
    ready: (output: { stdout: string; stderr: string }) => boolean,
    timeoutMs?: number,
  ) => Promise<void>;
  /** Resolves when the child exits; rejects after `timeoutMs` (and kills it) showing stderr. */
  exited: (timeoutMs?: number) => Promise<Finished>;
}

/** Starts `node ARGS…` with piped stdio. */
export function startNode(args: string[], env: NodeJS.ProcessEnv = process.env): Watched {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    child.stdout.emit('grew');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    child.stdout.emit('grew');
  });
  const exit = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const describe = (): string =>
    `\n--- stdout ---\n${stdout.slice(-2000)}\n--- stderr ---\n${stderr.slice(-4000)}`;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: async (what, ready, timeoutMs = 10_000) => {
      await waitOn(
        child.stdout,
        'grew',
        () => ready({ stdout, stderr }),
        timeoutMs,
        () => `waiting for ${what}${describe()}`,
      );
    },
    exited: (timeoutMs = 15_000) =>
      waitFor(exit, timeoutMs, () => `waiting for exit${describe()}`).catch((error: unknown) => {
        child.kill('SIGKILL');
        throw error;
      }),
  };
}

/** Runs `node ARGS…` to completion. */
export function runNode(
  args: string[],
  env?: NodeJS.ProcessEnv,
  timeoutMs?: number,
): Promise<Finished> {
  const watched = startNode(args, env);
  watched.child.stdin?.end();
  return watched.exited(timeoutMs);
}
