/**
 * One server behind the built CLI, as a client config would launch it: a manifest in the test's
 * temp dir (audit log beside it, the server's knobs in its `env:`, since mcp-guard gives the
 * server only `inheritEnv` + `env`), and the command line `node dist/cli/main.js run NAME -c
 * MANIFEST` for any client — SDK (connectSdk), Cline (connectCline) or raw (spawnGuarded).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { fixtureCommand, type CommandLine } from './fixtures.js';
import { readAudit, writeManifest } from './guard-process.js';
import { CLI } from './paths.js';
import { killAll, readPidFile, waitForExit, type TempDir } from './processes.js';
import { spawnRaw, type JsonObject, type RawChild } from './raw-client.js';
import { connectSdk, type SdkConnectOptions } from './sdk-client.js';
import { describeNow, waitFor, type Describe } from './wait.js';

export interface GuardOptions {
  /** The server's name in the manifest (default "server"). */
  name?: string;
  /** The server's `env:` (added to what guardFixture puts there). */
  env?: Record<string, string>;
  /** More keys of the server's entry (limits, output, paths…). */
  entry?: JsonObject;
}

export interface Guarded {
  dir: TempDir;
  name: string;
  manifest: string;
  auditFile: string;
  /** `node dist/cli/main.js run NAME -c MANIFEST`, the absolute path a client config holds. */
  command: CommandLine;
  /** What mcp-guard needs in its own environment: XDG_STATE_HOME inside the temp dir. */
  env: Record<string, string>;
  /** The audit records so far. */
  audit(): JsonObject[];
  /** The first audit record matching `predicate`, once written. */
  waitForAudit(
    predicate: (record: JsonObject) => boolean,
    timeoutMs: number,
    describe: Describe,
  ): Promise<JsonObject>;
  /** The pid of the server mcp-guard spawned (its first `child.spawn` record). */
  serverPid(describe: Describe): Promise<number>;
}

export interface GuardedFixture extends Guarded {
  /** The fixture's PID_FILE. */
  pidFile: string;
  /** The fixture's RECV_LOG: every line that reached the server, verbatim. */
  recvLog: string;
  /** The fixture server's pid, from its PID_FILE. */
  fixturePid(describe: Describe): Promise<number>;
}

/** Puts `server` behind mcp-guard with a manifest in `dir`. */
export function guardCommand(
  dir: TempDir,
  server: CommandLine,
  options: GuardOptions = {},
): Guarded {
  const name = options.name ?? 'server';
  const manifest = writeManifest(
    dir.path,
    {
      command: server.command,
      args: server.args,
      ...(options.env ? { env: options.env } : {}),
      ...options.entry,
    },
    {},
    name,
  );
  const auditFile = dir.join('audit.jsonl');
  const audit = () => readAudit(auditFile);
  const waitForAudit = (
    predicate: (record: JsonObject) => boolean,
    timeoutMs: number,
    describe: Describe,
  ) =>
    waitFor(
      () => audit().find(predicate),
      timeoutMs,
      () => `no such audit record in ${auditFile}: ${describeNow(describe)}`,
    );
  return {
    dir,
    name,
    manifest,
    auditFile,
    command: { command: process.execPath, args: [CLI, 'run', name, '-c', manifest] },
    env: { XDG_STATE_HOME: dir.join('state') },
    audit,
    waitForAudit,
    async serverPid(describe) {
      const spawned = await waitForAudit((r) => r.event === 'child.spawn', 10_000, describe);
      return spawned.pid as number;
    },
  };
}

/** A fixture (test/fixtures/NAME.mjs ARGS…) behind mcp-guard, with PID_FILE and RECV_LOG set. */
export function guardFixture(
  dir: TempDir,
  fixture: string,
  args: string[] = [],
  options: GuardOptions = {},
): GuardedFixture {
  const pidFile = dir.join('server.pid');
  const recvLog = dir.join('received.jsonl');
  const guarded = guardCommand(dir, fixtureCommand(fixture, ...args), {
    ...options,
    env: { PID_FILE: pidFile, RECV_LOG: recvLog, ...options.env },
  });
  return {
    ...guarded,
    pidFile,
    recvLog,
    fixturePid: (describe) => readPidFile(pidFile, 10_000, describe),
  };
}

/** mcp-guard for `guarded`, started by the raw line client (full environment + XDG_STATE_HOME). */
export function spawnGuarded(guarded: Guarded): Promise<RawChild> {
  return spawnRaw(guarded.command.command, guarded.command.args, {
    env: { ...process.env, ...guarded.env },
    cwd: guarded.dir.path,
  });
}

/** Resolves once every pid is gone; rejects naming the first survivor. */
export async function waitAllGone(
  pids: Iterable<number>,
  timeoutMs: number,
  describe: Describe,
): Promise<void> {
  for (const pid of pids) await waitForExit(pid, timeoutMs, describe);
}

/** The text of a tools/call result's content parts, joined. */
export function resultText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? '').join('');
}

/**
 * The pid of the server mcp-guard spawned for `guarded`, from the audit log; for a fixture,
 * checked against the pid the fixture wrote to its PID_FILE (both sources must agree).
 */
async function launchedPid(guarded: Guarded, describe: Describe): Promise<number> {
  const pid = await guarded.serverPid(describe);
  if ('fixturePid' in guarded) {
    const written = await (guarded as GuardedFixture).fixturePid(describe);
    assert.equal(pid, written, `child.spawn pid vs PID_FILE: ${describeNow(describe)}`);
  }
  return pid;
}

/** A bounded step: `promise`, or a rejection quoting `stderr` after `timeoutMs`. */
export type Step = <T>(label: string, promise: Promise<T>) => Promise<T>;

export const stepper =
  (stderr: () => string, timeoutMs = 20_000): Step =>
  (label, promise) =>
    waitFor(promise, timeoutMs, () => `${label}; stderr:\n${stderr()}`);

/**
 * The SDK's client launching mcp-guard for `guarded`. Everything is killed after the test `t`
 * whatever happens; `close()` is the clean end: the client's close(), then mcp-guard and its
 * server must be gone and no error may have reached the client.
 */
export async function sdkThrough(
  t: TestContext,
  guarded: Guarded,
  options: Partial<SdkConnectOptions> = {},
) {
  const sdk = await connectSdk({ ...guarded.command, env: guarded.env, ...options });
  t.after(() => killAll([sdk.pid]));
  const serverPid = await launchedPid(guarded, sdk.stderr);
  t.after(() => killAll([serverPid]));
  const close = async () => {
    await sdk.close();
    await waitAllGone([sdk.pid, serverPid], 5000, sdk.stderr);
    assert.deepEqual(sdk.errors, [], `no error reached the SDK client; stderr:\n${sdk.stderr()}`);
  };
  return { sdk, serverPid, step: stepper(sdk.stderr), close };
}

/**
 * The raw line client launching mcp-guard for `guarded` (killed after the test whatever
 * happens). `close()` ends its stdin, requires mcp-guard to exit 0 and its server to be gone,
 * and every stdout line to have been a JSON-RPC message.
 */
export async function rawThrough(t: TestContext, guarded: Guarded) {
  const raw = await spawnGuarded(guarded);
  t.after(() => killAll([raw.pid]));
  const serverPid = await launchedPid(guarded, raw.stderr);
  t.after(() => killAll([serverPid]));
  const close = async () => {
    const exit = await raw.close(5000);
    assert.deepEqual(exit, { code: 0, signal: null }, raw.stderr());
    await waitAllGone([serverPid], 5000, raw.stderr);
    assert.deepEqual(raw.strayLines, [], 'stdout carried only JSON-RPC messages');
  };
  return { raw, serverPid, step: stepper(raw.stderr), close };
}

/** The names of every tools/call that reached the server (from its RECV_LOG), as it was given them. */
export async function callsReceived(recvLog: string): Promise<unknown[]> {
  const lines = (await readFile(recvLog, 'utf8')).split('\n').filter(Boolean);
  return lines
    .map((line) => JSON.parse(line) as JsonObject)
    .filter((message) => message.method === 'tools/call')
    .map((message) => (message.params as JsonObject).name);
}
