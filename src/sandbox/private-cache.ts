/**
 * Each confined server's own package cache: npx and uvx download into it, never into the user's
 * real `~/.npm` or `~/.cache/uv` (which a confined server could poison for later unconfined runs).
 * Under `network: deny` the package managers are told to stay offline, so a package missing from
 * the cache fails at once with a clear message instead of waiting on DNS for a minute;
 * `mcp-guard prepare` fills the cache once with the network allowed. With the network allowed,
 * npm takes what the cache holds without asking the registry whether it is still the newest
 * (`prefer-offline`: a start of an installed `npx -y PKG` costs no round trip); `prepare` asks
 * (PREPARE_ENV), so it is what moves a server to a newer version.
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

/**
 * Why: the environment that points npm and uv at the private cache (offline under deny, cache
 * first under allow). Nothing here is a cache the server could not already write.
 */
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
  } else {
    env.npm_config_prefer_offline = 'true';
  }
  return env;
}

/** Why: `prepare` revalidates what the cache holds, so it fetches a newer release if there is one. */
export const PREPARE_ENV: Readonly<Record<string, string>> = { npm_config_prefer_offline: 'false' };
