/**
 * A session with an HTTP target: the process is started (mcp-guard `up --http`, or
 * server-everything's own Streamable HTTP server built with the SDK), and the SDK's `Client`
 * talks to it through `StreamableHTTPClientTransport`. Cold start is spawn → listening →
 * `initialize` answered, as for stdio targets spawn → `initialize` answered.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Target } from './targets.js';

/** How an HTTP target tells where it listens: its printed Cline entry, or a port chosen for it. */
export type HttpKind = 'up' | 'sdk';

const READY_TIMEOUT_MS = 30_000;
const STDERR_KEEP = 4096;

export interface HttpStarted {
  client: Client;
  pid: number;
  connectMs: number;
  stderrTail: () => string;
  /** Ends the session (DELETE) and stops the process, as Ctrl-C would. */
  stop: () => Promise<void>;
}

/** Why: a free loopback port for a server that takes its port from PORT. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function openHttpSession(
  target: Target,
  kind: HttpKind,
  cwd: string,
): Promise<HttpStarted> {
  const started = performance.now();
  const port = kind === 'sdk' ? await freePort() : 0;
  const child = spawn(target.command, target.args, {
    cwd,
    env: kind === 'sdk' ? { ...process.env, PORT: String(port) } : process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let tail = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_KEEP);
  });
  const stderrTail = (): string => tail.trim();
  const ready = kind === 'sdk' ? /listening on port/ : /Press Ctrl-C to stop/;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not listening within ${READY_TIMEOUT_MS} ms\n${tail}`)),
      READY_TIMEOUT_MS,
    );
    const check = (): void => {
      if (!ready.test(tail)) return;
      clearTimeout(timer);
      child.stderr.off('data', check);
      resolve();
    };
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening\n${tail}`));
    });
  });
  let url = `http://127.0.0.1:${port}/mcp`;
  let headers: Record<string, string> = {};
  if (kind === 'up') {
    // stdout starts with the entries (pretty JSON, its closing brace alone on a line); up's
    // status view follows them.
    while (!stdout.includes('\n}\n')) await once(child.stdout, 'data');
    const entry = Object.values(
      (
        JSON.parse(stdout.slice(0, stdout.indexOf('\n}\n') + 2)) as {
          mcpServers: Record<string, { url: string; headers: Record<string, string> }>;
        }
      ).mcpServers,
    )[0]!;
    url = entry.url;
    headers = entry.headers;
  }
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: 'mcp-guard-bench', version: '1.0.0' });
  await client.connect(transport);
  const connectMs = performance.now() - started;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    client,
    pid: child.pid!,
    connectMs,
    stderrTail,
    async stop() {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
      child.kill('SIGINT');
      await exited;
    },
  };
}
