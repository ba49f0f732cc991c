/**
 * The environment a server gets: exactly `inheritEnv` (taken from mcp-guard's own environment)
 * plus `env`. The launch plan spawns with it; the path policy reads `~` and variables from it.
 */
import type { ServerConfig } from './types.js';

/** Why: `inheritEnv` from mcp-guard's environment plus `env`, nothing else of the host. */
export function serverEnv(
  server: ServerConfig,
  hostEnv: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Record<string, string> {
  const env: Record<string, string> = {};
  const lookup = platform === 'win32' ? caseInsensitive(hostEnv) : hostEnv;
  for (const name of server.inheritEnv) {
    const value = lookup[platform === 'win32' ? name.toUpperCase() : name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(server.env)) env[name] = value;
  return env;
}

function caseInsensitive(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const upper: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) upper[name.toUpperCase()] = value;
  return upper;
}
