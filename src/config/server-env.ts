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

/**
 * Why: `run --env NAME` names a variable of mcp-guard's own environment for the server (what a
 * client entry's `env` holds: a token, typically). A name only: a value on the command line would
 * be readable by every process on the machine (`ps`), and the client already put it in the
 * environment. Returns what is wrong with `name`, or undefined.
 */
export function envNameProblem(name: string): string | undefined {
  if (name === '') return 'an empty variable name';
  if (name.includes('=')) {
    const bare = name.slice(0, name.indexOf('='));
    return `'${bare}=…' gives a value; --env takes a name only (${bare === '' ? 'NAME' : bare}), whose value mcp-guard passes on from its own environment: put the value in the client entry's env (a value on the command line is visible to every process)`;
  }
  if (name.includes('\0')) return `'${name.replaceAll('\0', '\\0')}' contains a NUL byte`;
  return undefined;
}

/** Why: the server with `names` added to what it inherits from mcp-guard's environment. */
export function withPassedEnv<S extends { inheritEnv: string[] }>(
  server: S,
  names: readonly string[],
): S {
  if (names.length === 0) return server;
  return { ...server, inheritEnv: [...new Set([...server.inheritEnv, ...names])] };
}
