/** Where configuration is read from: the working directory, environment and platform, injected. */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** Why: discovery and variables depend on process state; passing it in keeps config code pure. */
export interface ConfigContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  platform?: NodeJS.Platform;
}

/** Why: one place that builds the context the CLI commands pass to the config layer. */
export function contextFromProcess(): ConfigContext {
  return { cwd: process.cwd(), env: process.env, homeDir: homedir(), platform: process.platform };
}

/** Path functions for the context's platform, so tests can exercise Windows paths anywhere. */
export function pathsFor(ctx: ConfigContext): typeof posix {
  return platformOf(ctx) === 'win32' ? win32 : posix;
}

/** Why: `platform` is optional in the context; this is its one default. */
export function platformOf(ctx: ConfigContext): NodeJS.Platform {
  return ctx.platform ?? process.platform;
}

/** Reads an environment variable; Windows names are case-insensitive. */
export function readEnv(ctx: ConfigContext, name: string): string | undefined {
  const direct = ctx.env[name];
  if (direct !== undefined || platformOf(ctx) !== 'win32') return direct;
  const upper = name.toUpperCase();
  const key = Object.keys(ctx.env).find((k) => k.toUpperCase() === upper);
  return key === undefined ? undefined : ctx.env[key];
}

/** An absolute, non-empty directory from an environment variable (the XDG rule), else undefined. */
function envDir(ctx: ConfigContext, name: string): string | undefined {
  const value = readEnv(ctx, name);
  return value !== undefined && value !== '' && pathsFor(ctx).isAbsolute(value) ? value : undefined;
}

/** Why: user-wide manifest and profiles live here (`~/.config/mcp-guard`, `%APPDATA%\mcp-guard`). */
export function userConfigDir(ctx: ConfigContext): string {
  const path = pathsFor(ctx);
  if (platformOf(ctx) === 'win32') {
    return path.join(
      envDir(ctx, 'APPDATA') ?? path.join(ctx.homeDir, 'AppData', 'Roaming'),
      'mcp-guard',
    );
  }
  return path.join(
    envDir(ctx, 'XDG_CONFIG_HOME') ?? path.join(ctx.homeDir, '.config'),
    'mcp-guard',
  );
}

/** Why: ad-hoc runs keep audit log and state here (`~/.local/state/mcp-guard`, `%LOCALAPPDATA%`). */
export function userStateDir(ctx: ConfigContext): string {
  const path = pathsFor(ctx);
  if (platformOf(ctx) === 'win32') {
    return path.join(
      envDir(ctx, 'LOCALAPPDATA') ?? path.join(ctx.homeDir, 'AppData', 'Local'),
      'mcp-guard',
    );
  }
  return path.join(
    envDir(ctx, 'XDG_STATE_HOME') ?? path.join(ctx.homeDir, '.local', 'state'),
    'mcp-guard',
  );
}

/** Why: caches that only save time (`~/.cache/mcp-guard`, `%LOCALAPPDATA%\\mcp-guard\\cache`). */
export function userCacheDir(ctx: ConfigContext): string {
  const path = pathsFor(ctx);
  if (platformOf(ctx) === 'win32') {
    return path.join(
      envDir(ctx, 'LOCALAPPDATA') ?? path.join(ctx.homeDir, 'AppData', 'Local'),
      'mcp-guard',
      'cache',
    );
  }
  return path.join(envDir(ctx, 'XDG_CACHE_HOME') ?? path.join(ctx.homeDir, '.cache'), 'mcp-guard');
}
