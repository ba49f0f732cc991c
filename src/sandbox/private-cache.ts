/**
 * Each confined server's own package cache: npx and uvx download into it, never into the user's
 * real `~/.npm` or `~/.cache/uv` (which a confined server could poison for later unconfined runs).
 * Under `network: deny` the package managers are told to stay offline, so a package missing from
 * the cache fails at once with a clear message instead of waiting on DNS for a minute;
 * `mcp-guard prepare` fills the cache once with the network allowed.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { AllowDeny } from '../config/types.js';

/** Why: a stable folder per server name, safe as a path segment whatever the name holds. */
export function cacheDirFor(stateDir: string, server: string): string {
  const safe = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(server)
    ? server
    : `${server.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '')}-${createHash('sha256')
        .update(server)
        .digest('hex')
        .slice(0, 8)}`;
  return posix.join(stateDir, 'cache', safe);
}

/** Why: the environment that points npm and uv at the private cache (and offline under deny). */
export function cacheEnv(cacheDir: string, network: AllowDeny): Record<string, string> {
  const env: Record<string, string> = {
    npm_config_cache: posix.join(cacheDir, 'npm'),
    npm_config_update_notifier: 'false',
    UV_CACHE_DIR: posix.join(cacheDir, 'uv'),
    UV_TOOL_DIR: posix.join(cacheDir, 'uv-tools'),
    UV_PYTHON_INSTALL_DIR: posix.join(cacheDir, 'uv-python'),
  };
  if (network === 'deny') {
    env.npm_config_offline = 'true';
    env.UV_OFFLINE = '1';
  }
  return env;
}
