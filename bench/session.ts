/**
 * One MCP session with a target, through the SDK's real `Client` + `StdioClientTransport` (the v2
 * SDK's, pinned to 2026-07-28, for the stateless-era rows), and
 * its teardown the way Cline does it (stdin closed, SIGTERM 250 ms later), checked for leftovers.
 */
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as TransportV2 } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { openHttpSession } from './http-session.js';
import { isAlive, listDescendants } from './processes.js';
import type { Target } from './targets.js';

/** What the phases ask of a client: the same for the v1 SDK's and the v2 SDK's. */
export interface EchoClient {
  listTools(): Promise<{ tools: readonly Tool[] }>;
  callTool(
    params: { name: string; arguments: Record<string, unknown> },
    options: { timeout: number },
  ): Promise<{ content?: unknown; isError?: unknown }>;
  close(): Promise<void>;
}

/** A listed tool, as far as the bench looks at it. */
export interface Tool {
  name: string;
  inputSchema: { properties?: Record<string, unknown> | undefined };
}

export interface Session {
  client: EchoClient;
  /** The process the client spawned: the server for `direct`, the relay otherwise. */
  pid: number;
  /** Milliseconds from spawn to the `initialize` response (`connect()` resolving). */
  connectMs: number;
  /** The last few KiB the process wrote to stderr, for failure messages. */
  stderrTail: () => string;
  /** How an HTTP target's process is stopped (a stdio one stops when its client closes). */
  stop?: () => Promise<void>;
}

const STDERR_KEEP = 4096;
const CONNECT_TIMEOUT_MS = 20_000;

/** The v1 SDK's client as an EchoClient. */
function v1EchoClient(v1: Client): EchoClient {
  return {
    listTools: () => v1.listTools(),
    callTool: (params, options) =>
      v1.callTool(params, undefined, options) as Promise<{ content?: unknown }>,
    close: () => v1.close(),
  };
}

/** Why: every measurement starts the same way, so cold start is just this call, timed. */
export async function openSession(target: Target, cwd: string): Promise<Session> {
  if (target.http !== undefined) {
    const started = await withTimeout(
      openHttpSession(target, target.http, cwd),
      CONNECT_TIMEOUT_MS,
      'initialize',
    );
    return { ...started, client: v1EchoClient(started.client) };
  }
  const spawn = { command: target.command, args: target.args, cwd, stderr: 'pipe' as const };
  const transport =
    target.era === 'stateless' ? new TransportV2(spawn) : new StdioClientTransport(spawn);
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_KEEP);
  });
  const stderrTail = (): string => tail.trim();
  const info = { name: 'mcp-guard-bench', version: '1.0.0' };
  let client: EchoClient;
  let connect: Promise<void>;
  if (target.era === 'stateless') {
    // The v2 SDK's client pinned to 2026-07-28: no initialize, a _meta on every request.
    const v2 = new ClientV2(info, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    client = {
      listTools: () => v2.listTools(),
      callTool: (params, options) => v2.callTool(params, options),
      close: () => v2.close(),
    };
    connect = v2.connect(transport);
  } else {
    const v1 = new Client(info);
    client = v1EchoClient(v1);
    connect = v1.connect(transport);
  }
  const started = performance.now();
  try {
    await withTimeout(connect, CONNECT_TIMEOUT_MS, 'initialize');
  } catch (err) {
    const pid = transport.pid;
    const tree = pid === null ? [] : [pid, ...listDescendants(pid)];
    await client.close().catch(() => undefined);
    await reap(tree);
    throw withStderr(err, stderrTail());
  }
  const connectMs = performance.now() - started;
  const pid = transport.pid;
  if (pid === null) throw withStderr(new Error('connected, but the process is gone'), tail);
  return { client, pid, connectMs, stderrTail };
}

/**
 * Closes the session and returns the pids still alive 3 s later (then SIGKILLed), so a relay
 * that leaves its server behind shows up in the report instead of slowing the next target.
 */
export async function closeSession(session: Session): Promise<number[]> {
  const tree = [session.pid, ...listDescendants(session.pid)];
  if (session.stop !== undefined) {
    await withTimeout(session.stop(), 5000, 'stop').catch(() => undefined);
    return reap(tree);
  }
  const term = setTimeout(() => signal(session.pid, 'SIGTERM'), 250);
  try {
    await session.client.close();
  } finally {
    clearTimeout(term);
  }
  return reap(tree);
}

/** Waits up to 3 s for the processes to be gone, SIGKILLs the rest and returns their pids. */
async function reap(tree: number[]): Promise<number[]> {
  for (let waited = 0; waited < 3000 && tree.some(isAlive); waited += 50) await sleep(50);
  const left = tree.filter(isAlive);
  for (const pid of left) signal(pid, 'SIGKILL');
  return left;
}

/** Why: a wait without a deadline turns a broken target into a hung benchmark. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Adds what the process said on stderr to a failure, since that is usually the real reason. */
export function withStderr(err: unknown, stderr: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(stderr === '' ? message : `${message}\n--- stderr ---\n${stderr}`);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
