/**
 * `mcp-guard prepare [-c FILE] [SERVER…]`: fills each server's private package cache with the
 * network allowed, so that it can start offline under `network: deny`. Each server is started once
 * in its sandbox, exactly as `run` would start it but with the network allowed; npx or uvx
 * download into the private cache; after the MCP handshake the server is stopped.
 */
import { posix } from 'node:path';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { LineClient } from '../relay/own-requests.js';
import { detectSandbox } from '../sandbox/detect.js';
import { launchServer } from '../supervisor/launch.js';
import { cacheDirFor } from '../sandbox/private-cache.js';
import { performHandshake } from '../supervisor/handshake.js';
import { readStderrLines } from '../supervisor/stderr-lines.js';
import { VERSION } from '../version.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, PROFILE_OPTION } from './config-lookup.js';

const OPTIONS = {
  config: CONFIG_OPTION,
  profile: PROFILE_OPTION,
  timeout: {
    type: 'string',
    value: 'SECONDS',
    help: 'how long one server may take to download and answer (default 300)',
  },
} as const;

export const command = defineCommand({
  name: 'prepare',
  summary: "fill servers' private package caches so they start offline",
  usage: ['prepare [-c FILE] [--profile P] [--timeout SECONDS] [SERVER…]'],
  description: `Fills each server's private package cache (npx, uvx…) with the network allowed, so
    that it can start offline under sandbox.network: deny. Each server is started once in its
    sandbox, exactly as 'mcp-guard run' starts it but with the network allowed, and stopped after
    the MCP handshake. With no SERVER, every server launched through a package runner (npx, uvx,
    …) is prepared.`,
  options: OPTIONS,
  operands: true,
  output: 'stderr',
  run: prepare,
});

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

async function prepare(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const { values, operands, out } = call;
  const timeoutS = Number(values.timeout ?? '300');
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    throw call.usageError(`--timeout takes a number of seconds, not '${values.timeout}'`);
  }
  const { file, manifest, named } = call.config.servers(operands);
  const servers = named ?? Object.values(manifest.servers).filter(usesPackageRunner);
  if (servers.length === 0) {
    out.write(
      `mcp-guard prepare: no server of ${file} runs through npx, uvx or the like; nothing to prepare\n`,
    );
    return 0;
  }
  const support = await detectSandbox();
  let failed = 0;
  for (const server of servers) {
    if (server.sandbox.mode === 'off') {
      out.write(
        `mcp-guard prepare: '${server.name}' has sandbox.mode: off; it uses your own package cache, nothing to prepare\n`,
      );
      continue;
    }
    if (!support.usable) {
      const required = server.sandbox.mode === 'required';
      out.write(
        `mcp-guard prepare: '${server.name}' cannot be prepared: the OS sandbox does not work here (${support.cause}); ${required ? 'it will refuse to start' : 'it runs unconfined with your own package cache'}\n`,
      );
      if (required) failed += 1;
      continue;
    }
    if (!(await prepareOne(server, manifest, timeoutS * 1000, out))) failed += 1;
  }
  return failed === 0 ? 0 : 1;
}

function usesPackageRunner(server: ServerConfig): boolean {
  const base = posix.basename(server.command).replace(/\.(cmd|exe)$/i, '');
  return PACKAGE_RUNNERS.has(base);
}

async function prepareOne(
  server: ServerConfig,
  manifest: ResolvedManifest,
  timeoutMs: number,
  out: NodeJS.WritableStream,
): Promise<boolean> {
  const cache = cacheDirFor(manifest.stateDir, server.name);
  process.stderr.write(
    `mcp-guard prepare: starting '${server.name}' with the network allowed (cache: ${cache})\n`,
  );
  const started = Date.now();
  const { process: proc } = await launchServer(server, manifest, process.env, { network: 'allow' });
  if (proc instanceof Error) {
    out.write(`mcp-guard prepare: '${server.name}' could not start: ${proc.message}\n`);
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
      `mcp-guard prepare: '${server.name}' is ready (${handshake.tools ?? 0} tools, ${seconds} s); it can now start offline\n`,
    );
    return true;
  } catch (err) {
    out.write(
      `mcp-guard prepare: '${server.name}' did not answer the handshake: ${(err as Error).message}\n`,
    );
    return false;
  } finally {
    exited.catch(() => undefined);
    await proc.stop('eof');
  }
}
