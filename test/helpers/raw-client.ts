/**
 * A raw newline-JSON client for one child process: writes any bytes to its stdin, reads its
 * stdout as lines. For tests where a real MCP client would refuse to send what we need (junk,
 * batches, oversized lines), or would hide what came back (noise, stray ids).
 */
import { isUtf8 } from 'node:buffer';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { basename } from 'node:path';
import { waitFor, waitOn } from './wait.js';

export type JsonObject = Record<string, unknown>;
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RawChild {
  child: ChildProcessWithoutNullStreams;
  /** The command line, shortened, for failure messages. */
  label: string;
  pid: number;
  /** Writes bytes as given (no newline added). */
  write(data: string | Uint8Array): void;
  /** Writes one message: objects are serialised, strings sent as they are; then "\n". */
  send(message: unknown): void;
  /** The next stdout line (bytes, without its "\n"). Rejects on timeout or end of stdout. */
  nextRawLine(timeoutMs?: number): Promise<Buffer>;
  /** The next stdout line parsed as JSON; rejects (quoting the line) if it is not JSON. */
  nextLine(timeoutMs?: number): Promise<JsonObject>;
  /**
   * Sends a request with the next numeric id (1, 2, …; pick ids of your own above 10 000 when
   * mixing in `send`) and resolves with the response of that id. Other lines read meanwhile
   * are kept in `skipped`.
   */
  request(method: string, params?: JsonObject, timeoutMs?: number): Promise<JsonObject>;
  /** initialize (echoing nothing special) + notifications/initialized; returns the result. */
  initialize(capabilities?: JsonObject, timeoutMs?: number): Promise<JsonObject>;
  /** Complete lines not yet taken, and bytes of a line still waiting for its "\n". */
  buffered(): { lines: number; partialBytes: number };
  /** Messages read by `request` that were not its response, in order. */
  readonly skipped: JsonObject[];
  /**
   * Every stdout line so far that was not a JSON-RPC 2.0 message (not JSON, or JSON of another
   * shape), first 300 characters each, whether or not a test has read it yet.
   */
  readonly strayLines: string[];
  readonly stderr: () => string;
  /** Resolves when stderr (so far or later) matches `pattern`. */
  waitForStderr(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /**
   * Settles when the process exits; awaiting it fails after EXIT_WAIT_MS (counted from the
   * await, not from the start) quoting stderr, so a process that never exits fails its test.
   */
  exited: PromiseLike<Exit>;
  /** Ends stdin, waits up to `graceMs` for an exit, then SIGKILLs; resolves with the exit. */
  close(graceMs?: number): Promise<Exit>;
}

export interface SpawnRawOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const DEFAULT_WAIT_MS = 10_000;
/** How long an awaited exit may take: shutdowns escalate to SIGKILL within a few seconds. */
const EXIT_WAIT_MS = 30_000;

/**
 * Whether `value` is a JSON-RPC 2.0 message (request, notification or response) by its shape:
 * what a stdout line of an MCP server — or of mcp-guard — must always be (a line must also be
 * valid UTF-8; see `strayLines`).
 */
export function isJsonRpcMessage(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const message = value as JsonObject;
  if (message.jsonrpc !== '2.0') return false;
  const id = message.id;
  const validId = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if ('method' in message) {
    return typeof message.method === 'string' && (!('id' in message) || validId);
  }
  if ('result' in message) return validId && !('error' in message);
  if (!validId && id !== null) return false;
  const error = message.error as JsonObject | null | undefined;
  return (
    typeof error === 'object' &&
    error !== null &&
    Number.isInteger(error.code) &&
    typeof error.message === 'string'
  );
}

/** Starts `command args…` with three pipes; resolves once it has spawned. */
export async function spawnRaw(
  command: string,
  args: readonly string[] = [],
  options: SpawnRawOptions = {},
): Promise<RawChild> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const raw = attachRaw(child, [basename(command), ...args.map((arg) => basename(arg))].join(' '));
  await waitFor(once(child, 'spawn'), DEFAULT_WAIT_MS, () => `${raw.label} did not spawn`);
  return raw;
}

/**
 * The RawChild view of a child process spawned with three pipes, at once (before its 'spawn'
 * event; writes are queued until then). `label` names it in failure messages.
 */
export function attachRaw(child: ChildProcessWithoutNullStreams, label: string): RawChild {
  const changes = new EventEmitter();
  const lines: Buffer[] = [];
  const skipped: JsonObject[] = [];
  const strayLines: string[] = [];
  let pending = Buffer.alloc(0);
  let stdoutEnded = false;
  let stderr = '';
  let nextId = 1;

  const checkLine = (line: Buffer) => {
    let value: unknown;
    try {
      value = isUtf8(line) ? JSON.parse(line.toString('utf8')) : undefined;
    } catch {
      value = undefined;
    }
    if (!isJsonRpcMessage(value)) strayLines.push(line.toString('utf8', 0, 300));
  };
  child.stdout.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (let end = pending.indexOf(0x0a); end >= 0; end = pending.indexOf(0x0a)) {
      const line = pending.subarray(0, end);
      checkLine(line);
      lines.push(line);
      pending = pending.subarray(end + 1);
    }
    changes.emit('change');
  });
  child.stdout.on('end', () => {
    stdoutEnded = true;
    changes.emit('change');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    changes.emit('stderr');
  });
  // A failed spawn (ENOENT…) is reported by spawnRaw's wait; keep it from crashing the test.
  child.on('error', (error) => (stderr += `[spawn failed: ${error.message}]\n`));
  // Writing to a child that has exited fails with EPIPE; the test sees the exit instead.
  child.stdin.on('error', () => undefined);
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));

  const context = () => `${label} (pid ${child.pid}); stderr:\n${stderr}`;

  /** The next complete line, if any; throws once stdout has ended with none left. */
  function takeLine(): Buffer | undefined {
    const line = lines.shift();
    if (line === undefined && stdoutEnded)
      throw new Error(`stdout ended with no further line from ${context()}`);
    return line;
  }

  function parseLine(line: Buffer): JsonObject {
    try {
      return JSON.parse(line.toString('utf8')) as JsonObject;
    } catch {
      throw new Error(
        `stdout line is not JSON: ${JSON.stringify(line.toString('utf8'))} from ${context()}`,
      );
    }
  }

  const nextRawLine = (timeoutMs = DEFAULT_WAIT_MS): Promise<Buffer> =>
    waitOn(
      changes,
      'change',
      takeLine,
      timeoutMs,
      () => `no stdout line within ${timeoutMs} ms from ${context()}`,
    );

  const nextLine = async (timeoutMs = DEFAULT_WAIT_MS): Promise<JsonObject> =>
    parseLine(await nextRawLine(timeoutMs));

  const send = (message: unknown) =>
    child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);

  function request(method: string, params?: JsonObject, timeoutMs = DEFAULT_WAIT_MS) {
    const id = nextId++;
    send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
    const response = (): JsonObject | undefined => {
      for (let line = takeLine(); line !== undefined; line = takeLine()) {
        const message = parseLine(line);
        if (message.id === id && !('method' in message)) return message;
        skipped.push(message);
      }
      return undefined;
    };
    return waitOn(
      changes,
      'change',
      response,
      timeoutMs,
      () => `no response to ${method} (id ${id}) within ${timeoutMs} ms from ${context()}`,
    );
  }

  return {
    child,
    label,
    pid: child.pid!,
    write: (data) => child.stdin.write(data),
    send,
    nextRawLine,
    nextLine,
    request,
    async initialize(capabilities = {}, timeoutMs = DEFAULT_WAIT_MS) {
      const response = await request(
        'initialize',
        {
          protocolVersion: '2025-06-18',
          capabilities,
          clientInfo: { name: 'raw-test-client', version: '0.0.0' },
        },
        timeoutMs,
      );
      if (!response.result)
        throw new Error(`initialize failed: ${JSON.stringify(response)} from ${context()}`);
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return response.result as JsonObject;
    },
    buffered: () => ({ lines: lines.length, partialBytes: pending.length }),
    skipped,
    strayLines,
    stderr: () => stderr,
    async waitForStderr(pattern, timeoutMs = DEFAULT_WAIT_MS) {
      const matches = () =>
        typeof pattern === 'string' ? stderr.includes(pattern) : pattern.test(stderr);
      await waitOn(
        changes,
        'stderr',
        matches,
        timeoutMs,
        () => `stderr never matched ${String(pattern)} from ${context()}`,
      );
    },
    exited: {
      then: (onExit, onTimeout) =>
        waitFor(exit, EXIT_WAIT_MS, () => `no exit from ${context()}`).then(onExit, onTimeout),
    },
    async close(graceMs = 2000) {
      child.stdin.end();
      // Past the grace period the exit is forced: a kill, not a failure.
      await waitFor(exit, graceMs, label).catch(() => child.kill('SIGKILL'));
      return exit;
    },
  };
}
