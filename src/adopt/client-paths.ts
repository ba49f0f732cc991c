/**
 * Where each MCP client keeps its server list, on each OS. Pure: the home folder, environment and
 * platform come from the context, so tests point them at temp folders.
 *
 * Cline ≥ 4 (its VS Code extension, CLI and JetBrains plugin share one file): the path comes from
 * `CLINE_MCP_SETTINGS_PATH`, else `$CLINE_DATA_DIR/settings/`, else `$CLINE_DIR/data/settings/`,
 * else `~/.cline/data/settings/` (Cline's sdk/packages/shared/src/storage/paths.ts). Older Cline
 * kept it in VS Code's global storage of the extension `saoudrizwan.claude-dev`.
 */
import { type ConfigContext, pathsFor, platformOf, readEnv } from '../config/context.js';

export const CLIENT_IDS = ['cline', 'claude', 'cursor', 'vscode', 'windsurf'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** How the file lists its servers: `mcpServers` (most clients) or VS Code's `servers` + `inputs`. */
export type FileShape = 'mcpServers' | 'vscode';

/** One place a client may keep its servers. */
export interface ClientLocation {
  client: ClientId | 'file';
  path: string;
  shape: FileShape;
  /** Whether the client's parser accepts comments and trailing commas (VS Code's JSONC). */
  jsonc: boolean;
  /** `user`, `project` (the working directory's), or `legacy` (read when the current is absent). */
  scope: 'user' | 'project' | 'legacy';
}

/** Why: `--from` and `--client` take these names; anything else is a file (import only). */
export function isClientId(value: string): value is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(value);
}

/** A non-empty value of an environment variable. */
function envValue(ctx: ConfigContext, name: string): string | undefined {
  const value = readEnv(ctx, name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The folder desktop apps keep their settings in (Electron's appData). */
function appDataDir(ctx: ConfigContext): string {
  const path = pathsFor(ctx);
  const platform = platformOf(ctx);
  if (platform === 'darwin') return path.join(ctx.homeDir, 'Library', 'Application Support');
  if (platform === 'win32') {
    return envValue(ctx, 'APPDATA') ?? path.join(ctx.homeDir, 'AppData', 'Roaming');
  }
  return envValue(ctx, 'XDG_CONFIG_HOME') ?? path.join(ctx.homeDir, '.config');
}

/** Cline ≥ 4's shared settings file. */
export function clineSettingsPath(ctx: ConfigContext): string {
  const path = pathsFor(ctx);
  const explicit = envValue(ctx, 'CLINE_MCP_SETTINGS_PATH');
  if (explicit !== undefined) return path.resolve(ctx.cwd, explicit);
  const dataDir =
    envValue(ctx, 'CLINE_DATA_DIR') ??
    path.join(envValue(ctx, 'CLINE_DIR') ?? path.join(ctx.homeDir, '.cline'), 'data');
  return path.resolve(ctx.cwd, dataDir, 'settings', 'cline_mcp_settings.json');
}

/** Why: each client's files, in the order they are read (a project file before the user's). */
export function clientLocations(client: ClientId, ctx: ConfigContext): ClientLocation[] {
  const path = pathsFor(ctx);
  const at = (
    file: string,
    scope: ClientLocation['scope'],
    shape: FileShape = 'mcpServers',
  ): ClientLocation => ({ client, path: file, shape, jsonc: shape === 'vscode', scope });
  const vscodeUser = path.join(appDataDir(ctx), 'Code', 'User');
  switch (client) {
    case 'cline':
      return [
        at(clineSettingsPath(ctx), 'user'),
        at(
          path.join(
            vscodeUser,
            'globalStorage',
            'saoudrizwan.claude-dev',
            'settings',
            'cline_mcp_settings.json',
          ),
          'legacy',
        ),
      ];
    case 'claude':
      return [at(path.join(appDataDir(ctx), 'Claude', 'claude_desktop_config.json'), 'user')];
    case 'cursor':
      return [
        at(path.join(ctx.cwd, '.cursor', 'mcp.json'), 'project'),
        at(path.join(ctx.homeDir, '.cursor', 'mcp.json'), 'user'),
      ];
    case 'vscode':
      return [
        at(path.join(ctx.cwd, '.vscode', 'mcp.json'), 'project', 'vscode'),
        at(path.join(vscodeUser, 'mcp.json'), 'user', 'vscode'),
      ];
    case 'windsurf':
      return [at(path.join(ctx.homeDir, '.codeium', 'windsurf', 'mcp_config.json'), 'user')];
  }
}
