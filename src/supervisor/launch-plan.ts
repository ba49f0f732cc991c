/**
 * The launch plan: exactly what is spawned, computed without side effects. The environment is
 * exactly `inheritEnv` (taken from mcp-guard's own environment) plus `env`: nothing else of the
 * host leaks into the server.
 */
import type { ServerConfig } from '../config/types.js';

export interface LaunchPlan {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export function planLaunch(
  server: ServerConfig,
  hostEnv: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): LaunchPlan {
  const env: Record<string, string> = {};
  const lookup = platform === 'win32' ? caseInsensitive(hostEnv) : hostEnv;
  for (const name of server.inheritEnv) {
    const value = lookup[platform === 'win32' ? name.toUpperCase() : name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(server.env)) env[name] = value;
  return { command: server.command, args: [...server.args], cwd: server.cwd, env };
}

function caseInsensitive(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const upper: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) upper[name.toUpperCase()] = value;
  return upper;
}
