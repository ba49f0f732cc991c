/**
 * The built CLI as a raw child process (raw-client.ts's RawChild): write any bytes to its stdin,
 * read its stdout as JSON lines, keep its stderr for failure messages. For tests where a real
 * client would refuse to send what we need (junk, batches) or where the process itself is the
 * subject (signals, exits). Plus the manifest and audit-log helpers every CLI test needs.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAuditRecord } from '../../src/audit/check-record.js';
import { CLI } from './paths.js';
import { killTreeAfter } from './processes.js';
import { attachRaw, type JsonObject, type RawChild } from './raw-client.js';
import type { AfterContext } from './temp-dir.js';

export { isAlive, readPids, waitForExit, waitForExit as waitUntilDead } from './processes.js';
export { tempDir } from './temp-dir.js';

export interface GuardProcess extends RawChild {
  /** Stdout lines that were not JSON-RPC messages (must stay empty: stdout carries MCP only). */
  readonly nonJson: string[];
}

/**
 * Starts `node dist/cli/main.js ARGS` at once (writes are queued until it has spawned), with
 * XDG_STATE_HOME inside `stateDir` and the working directory `cwd` (default `stateDir`); after
 * the test `t`, it and every process below it are killed, whatever happened.
 */
export function startGuard(
  args: string[],
  options: {
    t: AfterContext;
    stateDir: string;
    env?: Record<string, string>;
    cwd?: string;
    /** Descriptors mcp-guard inherits after its stdio, from 3 on ('ignore' leaves a gap). */
    inherit?: (number | 'ignore')[];
  },
): GuardProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? options.stateDir,
    env: { ...process.env, XDG_STATE_HOME: join(options.stateDir, 'state'), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe', ...(options.inherit ?? [])],
  }) as ChildProcessWithoutNullStreams;
  killTreeAfter(options.t, child);
  const raw = attachRaw(child, `mcp-guard ${args.join(' ')}`);
  return Object.assign(raw, { nonJson: raw.strayLines });
}

export const initialize = (id: number | string = 1, capabilities: JsonObject = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities,
    clientInfo: { name: 'test', version: '1' },
  },
});

export const callTool = (id: number | string, name: string, args: JsonObject = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** The audit records in a JSON Lines file (none if it does not exist yet), each checked. */
export function readAudit(file: string): JsonObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Only whole lines: a reader can see a record that is being appended cut short (a write's
  // pages reach the file's size one at a time); it is read whole on the next poll.
  const records = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonObject);
  // Every record a real run writes is held against the audit catalogue (docs/audit.md).
  const drift = records.flatMap((record) => checkAuditRecord(record));
  assert.deepEqual(drift, [], `${file}: records the audit catalogue does not describe`);
  return records;
}

/**
 * Writes `mcp-guard.yaml` in `dir` with one server named `name` (JSON is valid YAML) and the
 * audit log at `dir/audit.jsonl`; returns its path. The server runs unconfined unless `server`
 * says otherwise: these tests watch the server's own pids and files from the host, which the OS
 * sandbox's PID namespace hides (the sandbox tests ask for it explicitly).
 */
export function writeManifest(
  dir: string,
  server: JsonObject,
  top: JsonObject = {},
  name = 'server',
): string {
  const file = join(dir, 'mcp-guard.yaml');
  const manifest = {
    version: 1,
    audit: { file: 'audit.jsonl' },
    ...top,
    servers: { [name]: { sandbox: { mode: 'off' }, ...server } },
  };
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}
