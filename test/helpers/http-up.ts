/**
 * `mcp-guard up` as a child process for tests: the manifest written, the CLI started (with
 * `--http`, on a port the system chooses, and its printed Cline entries read back: url and token
 * per server).
 * Plus the SDK's Streamable HTTP client connected to one of them.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI } from './paths.js';
import { killTreeAfter } from './processes.js';
import { waitFor, waitOn } from './wait.js';

export interface ClineEntry {
  type: string;
  url: string;
  headers: { Authorization: string };
}

export interface Up {
  stderr(): string;
  stdout(): string;
  /** Resolves once stdout so far matches `pattern`. */
  waitForStdout(pattern: RegExp): Promise<void>;
  /** SIGINT, then the exit code and signal. */
  stop(): Promise<[number | null, NodeJS.Signals | null]>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

export interface HttpUp extends Up {
  entries: Record<string, ClineEntry>;
  /** The token, as the entries carry it. */
  token: string;
  /** `http://127.0.0.1:PORT` (or https). */
  origin: string;
}

/** Writes the manifest into `dir` and runs `up --http 127.0.0.1:0 EXTRA…`; returns once serving. */
export async function startHttpUp(
  t: TestContext,
  dir: string,
  servers: Record<string, unknown>,
  extra: string[] = [],
  listen = '127.0.0.1:0',
): Promise<HttpUp> {
  const up = await startUp(t, dir, servers, ['--http', listen, ...extra]);
  // stdout starts with the entries (pretty JSON, its closing brace alone on a line); up's status
  // view follows them.
  await up.waitForStdout(/^}$/m);
  const text = up.stdout();
  const entries = (
    JSON.parse(text.slice(0, text.indexOf('\n}\n') + 2)) as {
      mcpServers: Record<string, ClineEntry>;
    }
  ).mcpServers;
  const first = Object.values(entries)[0]!;
  return {
    ...up,
    entries,
    token: first.headers.Authorization.replace(/^Bearer /, ''),
    origin: new URL(first.url).origin,
  };
}

/** Writes the manifest into `dir` and runs `up ARGS…`; returns once its servers are started. */
export async function startUp(
  t: TestContext,
  dir: string,
  servers: Record<string, unknown>,
  args: string[],
): Promise<Up> {
  const manifest = join(dir, 'mcp-guard.yaml');
  writeFileSync(
    manifest,
    JSON.stringify({ version: 1, audit: { file: 'audit.jsonl' }, servers }, null, 2),
  );
  const child = spawn(process.execPath, [CLI, 'up', '-c', manifest, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killTreeAfter(t, child);
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  exited.catch(() => undefined);
  await waitOn(
    child.stderr,
    'data',
    () => /Press Ctrl-C to stop/.test(stderr),
    30_000,
    () => `up never got ready; stderr:\n${stderr}`,
  );
  return {
    stderr: () => stderr,
    stdout: () => stdout,
    async waitForStdout(pattern) {
      await waitOn(
        child.stdout,
        'data',
        () => pattern.test(stdout),
        30_000,
        () => `stdout never matched ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`,
      );
    },
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return waitFor(exited, 30_000, () => `up did not exit; stderr:\n${stderr}`);
    },
  };
}

/** The SDK's v1 client over Streamable HTTP, with the entry's headers. */
export async function connectHttp(
  entry: ClineEntry,
  init: RequestInit = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(entry.url), {
    requestInit: { ...init, headers: { ...entry.headers } },
  });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}
