/**
 * The built CLI as a raw child process: write any bytes to its stdin, read its stdout as JSON
 * lines, keep its stderr for failure messages. For tests where a real client would refuse to send
 * what we need (junk, batches) or where the process itself is the subject (signals, exits).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './paths.js';

export interface GuardProcess {
  child: ChildProcessWithoutNullStreams;
  /** Writes one message (objects are serialised) followed by a newline. */
  send(message: unknown): void;
  /** The next JSON line from stdout; rejects after `timeoutMs` with the stderr so far. */
  nextLine(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Every stdout line not yet taken by nextLine. */
  readonly unread: Record<string, unknown>[];
  /** Raw stdout lines that were not JSON (must stay empty: stdout carries MCP only). */
  readonly nonJson: string[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function tempDir(prefix = 'mcp-guard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `node dist/cli/main.js ARGS`, with XDG_STATE_HOME inside `stateDir`. */
export function startGuard(
  args: string[],
  options: { stateDir: string; env?: Record<string, string>; cwd?: string },
): GuardProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? options.stateDir,
    env: { ...process.env, XDG_STATE_HOME: join(options.stateDir, 'state'), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let buffer = '';
  const unread: Record<string, unknown>[] = [];
  const nonJson: string[] = [];
  const waiters: (() => void)[] = [];
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let i;
    while ((i = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        unread.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        nonJson.push(line);
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  child.stdin.on('error', () => undefined);
  return {
    child,
    unread,
    nonJson,
    stderr: () => stderr,
    exited,
    send(message) {
      child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
    },
    async nextLine(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (unread.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no stdout line within ${timeoutMs} ms; stderr:\n${stderr}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
          void exited.then(() => setImmediate(resolve));
        });
        if (unread.length === 0 && child.exitCode !== null && child.stdout.readableEnded) {
          throw new Error(
            `mcp-guard exited (${child.exitCode}) without another line; stderr:\n${stderr}`,
          );
        }
      }
      return unread.shift()!;
    },
  };
}

export const initialize = (
  id: number | string = 1,
  capabilities: Record<string, unknown> = {},
) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities,
    clientInfo: { name: 'test', version: '1' },
  },
});

export const callTool = (
  id: number | string,
  name: string,
  args: Record<string, unknown> = {},
) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

export { isAlive } from './processes.js';
import { isAlive } from './processes.js';

/** Polls until the process is gone; rejects after `timeoutMs` naming it. */
export async function waitUntilDead(pid: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline)
      throw new Error(`${what} (pid ${pid}) still alive after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Reads the pids a fixture appended to `file`, waiting until `count` are there. */
export async function readPids(file: string, count: number, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = existsSync(file)
      ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number)
      : [];
    if (pids.length >= count) return pids;
    if (Date.now() > deadline)
      throw new Error(`${file} has ${pids.length} of ${count} pids after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The audit records in a JSON Lines file. */
export function readAudit(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Writes `mcp-guard.yaml` in `dir` with one server named `server` (JSON is valid YAML) and the
 * audit log at `dir/audit.jsonl`; returns its path.
 */
export function writeManifest(
  dir: string,
  server: Record<string, unknown>,
  top: Record<string, unknown> = {},
): string {
  const file = join(dir, 'mcp-guard.yaml');
  const manifest = { version: 1, audit: { file: 'audit.jsonl' }, ...top, servers: { server } };
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}
