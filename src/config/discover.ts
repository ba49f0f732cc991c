/** Manifest discovery (SPEC §2): `-c FILE`, `$MCP_GUARD_CONFIG`, nearest `mcp-guard.yaml`, user config. */
import { statSync } from 'node:fs';
import { GuardError } from '../errors.js';
import { type ConfigContext, pathsFor, readEnv, userConfigDir } from './context.js';

/** The manifest's file name, looked for in each folder from the working directory up. */
export const MANIFEST_NAME = 'mcp-guard.yaml';

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** An explicitly named manifest (a folder means the `mcp-guard.yaml` in it); must exist. */
function explicitManifest(ctx: ConfigContext, given: string, source: string): string {
  const path = pathsFor(ctx);
  const absolute = path.resolve(ctx.cwd, given);
  const file = isDirectory(absolute) ? path.join(absolute, MANIFEST_NAME) : absolute;
  if (isFile(file)) return file;
  throw new GuardError('ERR_CONFIG_NOT_FOUND', `no manifest at ${file} (${source})`);
}

/** Why: every command that takes `-c` finds its manifest the same way, in SPEC §2's order. */
export function findManifest(ctx: ConfigContext, explicit?: string): string {
  if (explicit !== undefined) return explicitManifest(ctx, explicit, 'from -c/--config');
  const fromEnv = readEnv(ctx, 'MCP_GUARD_CONFIG');
  if (fromEnv !== undefined && fromEnv !== '') {
    return explicitManifest(ctx, fromEnv, 'from $MCP_GUARD_CONFIG');
  }
  const path = pathsFor(ctx);
  const start = path.resolve(ctx.cwd);
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, MANIFEST_NAME);
    if (isFile(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  const user = path.join(userConfigDir(ctx), MANIFEST_NAME);
  if (isFile(user)) return user;
  throw new GuardError(
    'ERR_CONFIG_NOT_FOUND',
    `no ${MANIFEST_NAME} found: looked in ${start} and every folder above it, then ${user}; ` +
      'pass -c FILE or set MCP_GUARD_CONFIG',
  );
}
