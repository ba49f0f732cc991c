/**
 * The MCP SDK's real `Client` + `StdioClientTransport` on one server process, with the child's
 * stderr captured (`stderr: 'pipe'`) so every failure message can quote it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { waitForExit } from './processes.js';
import { waitFor } from './wait.js';

export interface SdkConnectOptions {
  command: string;
  args?: string[];
  /** Added to the SDK's safe default environment (HOME, LOGNAME, PATH, SHELL, TERM, USER). */
  env?: Record<string, string>;
  cwd?: string;
  /** Called with each stderr chunk as it arrives (all of it is also kept for `stderr()`). */
  stderr?: (text: string) => void;
  capabilities?: ClientCapabilities;
  /** Runs on the new Client before it connects: register request handlers here. */
  beforeConnect?: (client: Client) => void;
  /** Bound on the initialize round trip (default 10 s). */
  timeoutMs?: number;
}

export interface SdkConnection {
  client: Client;
  transport: StdioClientTransport;
  /** The child's pid (`transport.pid`, kept after close so tests can check it is gone). */
  pid: number;
  /** Everything the child wrote to stderr so far. */
  readonly stderr: () => string;
  /** Non-fatal errors the SDK reported through `onerror` (unparseable lines, unknown ids…). */
  readonly errors: Error[];
  /** Resolves when stderr (so far or later) contains `text`. */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  /** Settles when the transport closes (the child is gone, or close() was called). */
  closed: Promise<void>;
  /** Closes the client (stdin end → SIGTERM → SIGKILL, the SDK's way) and waits for the pid. */
  close(): Promise<void>;
}

export async function connectSdk(options: SdkConnectOptions): Promise<SdkConnection> {
  const transport = new StdioClientTransport({
    command: options.command,
    args: options.args ?? [],
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderr += text;
    options.stderr?.(text);
  });
  const client = new Client(
    { name: 'mcp-guard-test', version: '0.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  const closed = new Promise<void>((resolve) => (client.onclose = resolve));
  options.beforeConnect?.(client);

  try {
    await client.connect(transport, { timeout: options.timeoutMs ?? 10_000 });
  } catch (error) {
    await transport.close();
    throw new Error(
      `SDK client could not connect to ${options.command}: ${String(error)}\nstderr:\n${stderr}`,
      {
        cause: error,
      },
    );
  }
  const pid = transport.pid;
  if (pid === null)
    throw new Error(`SDK transport has no pid after connecting; stderr:\n${stderr}`);

  return {
    client,
    transport,
    pid,
    stderr: () => stderr,
    errors,
    async waitForStderr(text, timeoutMs = 10_000) {
      const describe = () => `stderr never contained ${JSON.stringify(text)}:\n${stderr}`;
      await waitFor(() => stderr.includes(text), timeoutMs, describe);
    },
    closed,
    async close() {
      await client.close();
      await waitForExit(
        pid,
        5000,
        () => `server still running after the SDK client closed; stderr:\n${stderr}`,
      );
    },
  };
}
