/**
 * Cline's own stdio MCP client, from `@cline/core` (0.0.86, installed apart in test/cline by
 * scripts/test-client.mjs, which scripts/run-tests.mjs runs first): an `InMemoryMcpManager` with
 * `createDefaultMcpServerClientFactory()`, fed by a `cline_mcp_settings.json` that the test
 * writes into its temp dir and loads with `registerMcpServersFromSettingsFile`.
 *
 * Facts about that client (read from its bundled source, dist/index.js, and proven by
 * test/contract/harness-direct.test.ts against direct servers):
 *
 * - It is NOT the SDK's client: a hand-written one (`spawn(command, args, {cwd, env:
 *   {...process.env, ...env}})`, three pipes, no shell except on Windows). The spawn cwd is the
 *   settings entry's `cwd` or else Cline's own working directory — `/` for an editor launched from
 *   a desktop, so this harness writes `cwd: "/"`.
 * - initialize: `{protocolVersion: "2024-11-05", capabilities: {}, clientInfo: {name:
 *   "@cline/core", version: "0.0.0"}}` — no roots, no sampling, no elicitation. Request ids are
 *   numbers counting from 1 per client (the framed retry below continues the count).
 * - Init timeout: 3000 ms (DEFAULT_MCP_CONNECT_TIMEOUT_MS) per attempt, unless the entry has
 *   `timeout` (seconds, clamped to 1..3600): then that. There are TWO attempts: newline-delimited
 *   JSON, then — after stopping the first process — a second process spoken to with
 *   `Content-Length:` framing, which a newline server never sees as a complete line. So a slow
 *   server fails after ~2 × 3 s. When both attempts fail alike the message is just the first:
 *   `MCP request to "N" (initialize) timed out after 3s. Increase the "timeout" field (in
 *   seconds) for this server in cline_mcp_settings.json.`; otherwise `MCP server "N" failed to
 *   initialize. Newline-delimited attempt: … Content-Length framed attempt: …`.
 * - Stray stdout: every non-empty line (trimmed) goes through JSON.parse. A line that is not JSON
 *   (banner, console.log, ANSI) — or is `null` — is a protocol failure: all pending requests reject
 *   with `Invalid MCP response from "N": <JSON.parse message>. stderr: …` and the process is
 *   killed (SIGTERM). During initialize that fails the newline attempt at once. JSON without a
 *   numeric `id` ({"hello":1}, [1,2], 42, string-id replies) is silently ignored.
 * - A message with a numeric id matching a pending request resolves it with `message.result` —
 *   even when it is a server→client REQUEST reusing that id (the call then resolves `undefined`).
 *   Server→client requests are never answered.
 * - Errors surface only as rejections: connect() rejects; a pending call rejects on protocol
 *   failure or on exit (`MCP process exited for "N" (code=C, signal=S). stderr: …`). There is no
 *   event or callback. After such a failure the manager's snapshot still says "connected" and
 *   every later call rejects with `MCP server "N" is not connected.` (no automatic reconnect).
 *   This harness observes the processes themselves: `spawned` lists every child it started.
 * - Shutdown (disconnect/dispose; from the source, not asserted here): stdin end, wait 250 ms for 'close', SIGTERM, wait 2 s, SIGKILL,
 *   wait 2 s, else throw "did not exit during disconnect". 'close' needs every holder of the pipes
 *   gone, so a grandchild holding them stalls it.
 * - Settings file: `{"mcpServers": {NAME: {command, args?, env?, cwd?, type?: "stdio",
 *   disabled?, timeout?}}}`; unknown keys (e.g. `autoApprove`) are dropped, not errors.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { stepper, type Guarded } from './guarded.js';
import { isAlive, killAll, waitForExit } from './processes.js';
import type { Exit } from './raw-client.js';

// @cline/core lives in test/cline (its own package.json and lockfile), imported by path, so its
// types are not seen here. These mirror dist/extensions/mcp/types.d.ts for the parts used here.
export interface ClineToolDescriptor {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}
export interface ClineServerSnapshot {
  name: string;
  status: 'disconnected' | 'connecting' | 'connected';
  disabled: boolean;
  lastError?: string;
  toolCount: number;
}
interface ClineServerClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}
type ClineClientFactory = (registration: {
  name: string;
}) => Promise<ClineServerClient> | ClineServerClient;
export interface ClineManager {
  connectServer(name: string): Promise<void>;
  disconnectServer(name: string): Promise<void>;
  listServers(): readonly ClineServerSnapshot[];
  listTools(name: string): Promise<readonly ClineToolDescriptor[]>;
  refreshTools(name: string): Promise<readonly ClineToolDescriptor[]>;
  callTool(request: {
    serverName: string;
    toolName: string;
    arguments?: Record<string, unknown>;
  }): Promise<unknown>;
  dispose(): Promise<void>;
}
interface ClineMcpApi {
  DEFAULT_MCP_CONNECT_TIMEOUT_MS: number;
  InMemoryMcpManager: new (options: {
    clientFactory: ClineClientFactory;
    toolsCacheTtlMs?: number;
  }) => ClineManager;
  createDefaultMcpServerClientFactory(): ClineClientFactory;
  registerMcpServersFromSettingsFile(
    manager: ClineManager,
    options: { filePath: string },
  ): Promise<{ name: string; transport: Record<string, unknown>; timeoutSeconds?: number }[]>;
}
const cline = await importCline();

/** test/cline/index.mjs, from .build/test/helpers/ or test/helpers/ alike. */
async function importCline(): Promise<ClineMcpApi> {
  const door = new URL(
    import.meta.url.includes('/.build/') ? '../../../test/cline/index.mjs' : '../cline/index.mjs',
    import.meta.url,
  );
  try {
    return (await import(door.href)) as ClineMcpApi;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      "Cline's client (test/cline) is not installed: run node scripts/test-client.mjs",
      { cause: error },
    );
  }
}

/** Cline's initialize budget per attempt when the settings entry has no `timeout`. */
export const CLINE_CONNECT_TIMEOUT_MS = cline.DEFAULT_MCP_CONNECT_TIMEOUT_MS;

export interface ClineSessionOptions {
  /** Folder for cline_mcp_settings.json (the test's temp dir). */
  dir: string;
  /** The server's key in mcpServers (default "server"). */
  name?: string;
  command: string;
  args?: string[];
  /** Added to the full environment of the test process, as Cline does. */
  env?: Record<string, string>;
  /** Working directory of the server (default "/", where Cline starts servers). */
  cwd?: string;
  /** The entry's `timeout` key, in seconds (omitted by default, as in most users' files). */
  timeoutSeconds?: number;
  /** The manager's tools/list cache (Cline's default 5000 ms; 0 asks the server every time). */
  toolsCacheTtlMs?: number;
}

/** A process Cline started: one per connect attempt (newline, then maybe Content-Length). */
export interface ClineSpawn {
  pid: number;
  mode: string;
  exited: Promise<Exit>;
}

export interface ClineSession {
  manager: ClineManager;
  name: string;
  settingsPath: string;
  /** Spawns the server and runs Cline's initialize (both attempts); rejects as Cline does. */
  connect(): Promise<void>;
  listTools(): Promise<readonly ClineToolDescriptor[]>;
  callTool(toolName: string, args?: Record<string, unknown>): Promise<unknown>;
  /** The manager's view of the server (status, lastError). */
  snapshot(): ClineServerSnapshot | undefined;
  /** Every process Cline spawned for this server, in order. */
  readonly spawned: ClineSpawn[];
  /** The stderr of every spawned process, each headed by "[pid P, MODE]". */
  readonly stderr: () => string;
  /** dispose() the manager, then require every spawned process gone (killing leftovers). */
  close(): Promise<void>;
}

/** Writes the settings file and registers it with a fresh manager; does not connect yet. */
export async function createClineSession(options: ClineSessionOptions): Promise<ClineSession> {
  const name = options.name ?? 'server';
  const settingsPath = join(options.dir, 'cline_mcp_settings.json');
  const entry = {
    command: options.command,
    args: options.args ?? [],
    ...(options.env ? { env: options.env } : {}),
    cwd: options.cwd ?? '/',
    disabled: false,
    autoApprove: [],
    ...(options.timeoutSeconds === undefined ? {} : { timeout: options.timeoutSeconds }),
  };
  await writeFile(settingsPath, `${JSON.stringify({ mcpServers: { [name]: entry } }, null, 2)}\n`);
  return sessionFromFile(settingsPath, name, options.toolsCacheTtlMs);
}

/**
 * A session on server `name` of a settings file written by someone else (`mcp-guard install`),
 * registered the way Cline registers it; does not connect yet.
 */
export async function sessionFromFile(
  settingsPath: string,
  name: string,
  toolsCacheTtlMs?: number,
): Promise<ClineSession> {
  const spawned: ClineSpawn[] = [];
  let stderr = '';
  const defaultFactory = cline.createDefaultMcpServerClientFactory();
  const manager = new cline.InMemoryMcpManager({
    clientFactory: async (registration) => {
      const client = await defaultFactory(registration);
      observeSpawns(client, (child, mode) => {
        stderr += `[pid ${child.pid}, ${mode}]\n`;
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const exited = once(child, 'exit').then(([code, signal]) => ({
          code: code as number | null,
          signal: signal as NodeJS.Signals | null,
        }));
        spawned.push({ pid: child.pid!, mode, exited });
      });
      return client;
    },
    ...(toolsCacheTtlMs === undefined ? {} : { toolsCacheTtlMs }),
  });
  const registered = await cline.registerMcpServersFromSettingsFile(manager, {
    filePath: settingsPath,
  });
  if (!registered.some((registration) => registration.name === name)) {
    throw new Error(`Cline did not register "${name}" from ${settingsPath}`);
  }

  return {
    manager,
    name,
    settingsPath,
    connect: () => manager.connectServer(name),
    listTools: () => manager.listTools(name),
    callTool: (toolName, args = {}) =>
      manager.callTool({ serverName: name, toolName, arguments: args }),
    snapshot: () => manager.listServers().find((server) => server.name === name),
    spawned,
    stderr: () => stderr,
    async close() {
      const failure = await manager.dispose().then(
        () => undefined,
        (error: unknown) => error ?? new Error('dispose() rejected'),
      );
      const pids = spawned.map((child) => child.pid);
      try {
        for (const pid of pids) {
          await waitForExit(pid, 5000, () => `Cline left its server running; stderr:\n${stderr}`);
        }
      } finally {
        killAll(pids.filter(isAlive));
      }
      if (failure)
        throw new Error(`Cline's dispose() failed; stderr:\n${stderr}`, { cause: failure });
    },
  };
}

/** createClineSession + connect; on a failed connect the processes are already stopped by Cline. */
export async function connectCline(options: ClineSessionOptions): Promise<ClineSession> {
  const session = await createClineSession(options);
  try {
    await session.connect();
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

/**
 * Calls `onSpawn` for every process Cline's stdio client starts. That client keeps its child in
 * the private field `process`, set by its private `spawnProcess(mode)`; there is no public hook.
 * Checked at runtime, so a @cline/core upgrade that renames them fails here, loudly.
 */
function observeSpawns(
  client: ClineServerClient,
  onSpawn: (child: ChildProcess, mode: string) => void,
) {
  const internals = client as unknown as {
    spawnProcess?: (mode: string) => void;
    process?: ChildProcess;
  };
  const spawnProcess = internals.spawnProcess;
  if (typeof spawnProcess !== 'function') {
    throw new Error(
      '@cline/core: the stdio MCP client has no spawnProcess(mode); update test/helpers/cline-client.ts',
    );
  }
  internals.spawnProcess = (mode: string) => {
    spawnProcess.call(client, mode);
    if (!('process' in internals)) {
      throw new Error(
        '@cline/core: spawnProcess() set no `process` field; update test/helpers/cline-client.ts',
      );
    }
    // No pid: the spawn failed (ENOENT…); Cline reports that itself ("MCP process error: …").
    if (internals.process?.pid !== undefined) onSpawn(internals.process, mode);
  };
}

/**
 * Cline's client launching mcp-guard for `guarded`, killed after the test `t` whatever happens;
 * `step` bounds each await and quotes Cline's stderr when it times out.
 */
export async function clineThrough(t: TestContext, guarded: Guarded) {
  const cline = await connectCline({
    dir: guarded.dir.path,
    name: guarded.name,
    ...guarded.command,
    env: guarded.env,
  });
  t.after(() => killAll(cline.spawned.map((child) => child.pid)));
  return { cline, step: stepper(cline.stderr) };
}
