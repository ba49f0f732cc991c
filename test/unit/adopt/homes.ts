/**
 * Temp homes laid out as each client keeps its files on each OS, filled from
 * test/fixtures/clients/ (written from the clients' documented shapes). The context points home,
 * XDG_CONFIG_HOME / APPDATA and the working directory (a project) into the temp folder.
 */
import type { TestContext } from 'node:test';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConfigContext } from '../../../src/config/context.js';
import { FIXTURES } from '../../helpers/paths.js';

export const CLIENT_FIXTURES = join(FIXTURES, 'clients');

export interface Home {
  root: string;
  home: string;
  /** The project folder, the working directory. */
  project: string;
  ctx: ConfigContext;
  /** Copies a fixture (file or folder) to `to` (relative to root), returns the absolute path. */
  put(fixture: string, to: string): string;
}

/** Why: one temp home per test, removed afterwards. */
export function makeHome(
  t: TestContext,
  platform: NodeJS.Platform = 'linux',
  env: NodeJS.ProcessEnv = {},
): Home {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-adopt-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home, { recursive: true });
  mkdirSync(project, { recursive: true });
  const put = (fixture: string, to: string): string => {
    const target = join(root, to);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(CLIENT_FIXTURES, fixture), target, { recursive: true });
    return target;
  };
  return { root, home, project, ctx: { cwd: project, env, homeDir: home, platform }, put };
}

/** One client file and where it goes, for each client and OS layout. */
export interface Layout {
  label: string;
  client: 'cline' | 'claude' | 'cursor' | 'vscode' | 'windsurf';
  platform: NodeJS.Platform;
  /** Environment relative paths are under the temp root (`{root}` is replaced). */
  env?: Record<string, string>;
  /** [fixture, destination under the temp root]. */
  files: [string, string][];
}

export const LAYOUTS: Layout[] = [
  {
    label: 'cline (~/.cline), linux',
    client: 'cline',
    platform: 'linux',
    files: [['cline_mcp_settings.json', 'home/.cline/data/settings/cline_mcp_settings.json']],
  },
  {
    label: 'cline ($CLINE_DIR), darwin',
    client: 'cline',
    platform: 'darwin',
    env: { CLINE_DIR: '{root}/clinedir' },
    files: [['cline_mcp_settings.json', 'clinedir/data/settings/cline_mcp_settings.json']],
  },
  {
    label: 'cline ($CLINE_DATA_DIR)',
    client: 'cline',
    platform: 'linux',
    env: { CLINE_DATA_DIR: '{root}/data', CLINE_DIR: '{root}/ignored' },
    files: [['cline_mcp_settings.json', 'data/settings/cline_mcp_settings.json']],
  },
  {
    label: 'cline ($CLINE_MCP_SETTINGS_PATH)',
    client: 'cline',
    platform: 'linux',
    env: { CLINE_MCP_SETTINGS_PATH: '{root}/elsewhere/mcp.json', CLINE_DATA_DIR: '{root}/data' },
    files: [['cline_mcp_settings.json', 'elsewhere/mcp.json']],
  },
  {
    label: 'cline legacy (VS Code global storage), linux',
    client: 'cline',
    platform: 'linux',
    env: { XDG_CONFIG_HOME: '{root}/xdg' },
    files: [
      [
        'cline_mcp_settings.json',
        'xdg/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
      ],
    ],
  },
  {
    label: 'claude desktop, linux',
    client: 'claude',
    platform: 'linux',
    env: { XDG_CONFIG_HOME: '{root}/xdg' },
    files: [['claude_desktop_config.json', 'xdg/Claude/claude_desktop_config.json']],
  },
  {
    label: 'claude desktop, darwin',
    client: 'claude',
    platform: 'darwin',
    files: [
      [
        'claude_desktop_config.json',
        'home/Library/Application Support/Claude/claude_desktop_config.json',
      ],
    ],
  },
  {
    label: 'cursor, user and project',
    client: 'cursor',
    platform: 'linux',
    files: [
      ['cursor-project/.cursor/mcp.json', 'project/.cursor/mcp.json'],
      ['cursor-user-mcp.json', 'home/.cursor/mcp.json'],
    ],
  },
  {
    label: 'vscode, workspace, darwin',
    client: 'vscode',
    platform: 'darwin',
    files: [
      ['vscode-project/.vscode/mcp.json', 'project/.vscode/mcp.json'],
      ['vscode-project/.env', 'project/.env'],
    ],
  },
  {
    label: 'vscode, user profile, linux',
    client: 'vscode',
    platform: 'linux',
    env: { XDG_CONFIG_HOME: '{root}/xdg' },
    files: [['vscode-project/.vscode/mcp.json', 'xdg/Code/User/mcp.json']],
  },
  {
    label: 'windsurf',
    client: 'windsurf',
    platform: 'linux',
    files: [['windsurf_mcp_config.json', 'home/.codeium/windsurf/mcp_config.json']],
  },
];

/** Why: a temp home with the layout's files in place; returns it and the files' absolute paths. */
export function homeFor(t: TestContext, layout: Layout): Home & { paths: string[] } {
  const probe = makeHome(t, layout.platform);
  const env = Object.fromEntries(
    Object.entries(layout.env ?? {}).map(([k, v]) => [k, v.replaceAll('{root}', probe.root)]),
  );
  probe.ctx.env = env;
  const paths = layout.files.map(([fixture, to]) => probe.put(fixture, to));
  return { ...probe, paths };
}

/** Every secret literal of a fixture: env and header values that are secrets by name or look. */
export function fixtureSecrets(
  fixture: string,
  isSecret: (name: string, value: string) => boolean,
): string[] {
  const text = readFileSync(join(CLIENT_FIXTURES, fixture), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/"([A-Za-z_][A-Za-z0-9_-]*)"\s*:\s*"([^"$]+)"/g)) {
    if (isSecret(match[1]!, match[2]!)) found.push(match[2]!);
  }
  return found;
}
