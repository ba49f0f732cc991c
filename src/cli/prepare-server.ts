/**
 * One server's first start done ahead of time: started once in its sandbox, exactly as `run`
 * starts it but with the network allowed, so npx or uvx download into its private package cache;
 * stopped after the MCP handshake. `prepare` does it for the servers it is given, `install` for
 * each server it wraps (so that the client's first start finds the cache warm and answers inside
 * the client's connect budget). The cache stays the server's own: filled inside that server's
 * sandbox, never shared with another server.
 */
import { posix } from 'node:path';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { LineClient } from '../relay/own-requests.js';
import { detectSandbox } from '../sandbox/detect.js';
import { cacheDirFor, PREPARE_ENV } from '../sandbox/private-cache.js';
import { launchServer } from '../supervisor/launch.js';
import { performHandshake } from '../supervisor/handshake.js';
import { readStderrLines } from '../supervisor/stderr-lines.js';
import { VERSION } from '../version.js';
import { ensureStateDir } from './state-dir.js';

/** Commands that download what they run. */
const PACKAGE_RUNNERS = new Set([
  'npx',
  'uvx',
  'uv',
  'pnpm',
  'pnpx',
  'bunx',
  'bun',
  'yarn',
  'pipx',
]);

/** Why: only a server started through a package runner has a package cache to fill. */
export function usesPackageRunner(server: ServerConfig): boolean {
  const base = posix.basename(server.command).replace(/\.(cmd|exe)$/i, '');
  return PACKAGE_RUNNERS.has(base);
}

export interface PrepareOptions {
  /** The environment the server is started from (its inheritEnv is taken from it). */
  hostEnv: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Where the one-line outcome goes (`prepare`'s output; `install`'s stderr). */
  out: NodeJS.WritableStream;
  /** The command speaking (`prepare`, `install`), at the head of each line. */
  who: string;
}

/**
 * Why: whether the server can start offline afterwards. A server that is not confined uses the
 * user's own caches (nothing private to fill): said, and counted as a failure only when it is
 * `mode: required` (it will refuse to start).
 */
export async function prepareServer(
  server: ServerConfig,
  manifest: ResolvedManifest,
  options: PrepareOptions,
): Promise<boolean> {
  const { out, who } = options;
  if (server.sandbox.mode === 'off') {
    out.write(
      `mcp-guard ${who}: '${server.name}' has sandbox.mode: off; it uses your own package cache, nothing to prepare\n`,
    );
    return true;
  }
  const support = await detectSandbox(server.sandbox.backend ?? 'auto');
  if (!support.usable) {
    const required = server.sandbox.mode === 'required';
    out.write(
      `mcp-guard ${who}: '${server.name}' cannot be prepared: the OS sandbox does not work here (${support.cause}); ${required ? 'it will refuse to start' : 'it runs unconfined with your own package cache'}\n`,
    );
    return !required;
  }
  return startOnce(server, manifest, options);
}

async function startOnce(
  server: ServerConfig,
  manifest: ResolvedManifest,
  { hostEnv, timeoutMs, out, who }: PrepareOptions,
): Promise<boolean> {
  const cache = cacheDirFor(manifest.stateDir, server.name);
  process.stderr.write(
    `mcp-guard ${who}: starting '${server.name}' with the network allowed (cache: ${cache})\n`,
  );
  const started = Date.now();
  ensureStateDir(manifest);
  // The cache's versions revalidated (a server's own env still wins, as at every start).
  const refreshing = { ...server, env: { ...PREPARE_ENV, ...server.env } };
  const { process: proc } = await launchServer(refreshing, manifest, hostEnv, {
    network: 'allow',
  });
  if (proc instanceof Error) {
    out.write(`mcp-guard ${who}: '${server.name}' could not start: ${proc.message}\n`);
    return false;
  }
  readStderrLines(proc.child.stderr, (text) => process.stderr.write(`[${server.name}] ${text}\n`));
  const client = new LineClient(
    { input: proc.child.stdout, output: proc.child.stdin },
    server.limits.maxMessageBytes,
  );
  const exited = proc.exited.then((exit) => {
    throw new Error(
      exit.signal === null
        ? `it exited with code ${exit.code}`
        : `it was terminated by ${exit.signal}`,
    );
  });
  try {
    const handshake = await Promise.race([performHandshake(client, VERSION, timeoutMs), exited]);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    out.write(
      `mcp-guard ${who}: '${server.name}' is ready (${handshake.tools ?? 0} tools, ${seconds} s); it can now start offline\n`,
    );
    return true;
  } catch (err) {
    out.write(
      `mcp-guard ${who}: '${server.name}' did not answer the handshake: ${(err as Error).message}\n`,
    );
    return false;
  } finally {
    exited.catch(() => undefined);
    await proc.stop('eof');
  }
}
