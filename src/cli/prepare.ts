/**
 * `mcp-guard prepare [-c FILE] [SERVER…]`: fills each server's private package cache with the
 * network allowed, so that it can start offline under `network: deny`. Each server is started once
 * in its sandbox, exactly as `run` would start it but with the network allowed; npx or uvx
 * download into the private cache; after the MCP handshake the server is stopped.
 */
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, PROFILE_OPTION } from './config-lookup.js';
import { prepareServer, usesPackageRunner } from './prepare-server.js';

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
  output: 'stdout',
  run: prepare,
});

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
  let failed = 0;
  for (const server of servers) {
    const options = { hostEnv: process.env, timeoutMs: timeoutS * 1000, out, who: 'prepare' };
    if (!(await prepareServer(server, manifest, options))) failed += 1;
  }
  return failed === 0 ? 0 : 1;
}
