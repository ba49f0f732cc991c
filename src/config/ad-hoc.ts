/**
 * `mcp-guard run [flags] -- CMD ARGS…` with no manifest: one server named after the command,
 * the working directory as `${workspaceFolder}` (a private folder when that is `/` or `$HOME`),
 * state and audit log in the user's state folder.
 * The command and its arguments are used exactly as given (the client already expanded them).
 */
import type { ConfigProblem } from '../errors.js';
import { type ConfigContext, pathsFor, platformOf, userStateDir } from './context.js';
import { expandTilde, normalizeLayer, type PartialServer } from './layer.js';
import { invalid, variableScope } from './manifest.js';
import { DEFAULT_PROFILE, loadProfileChain, profileAuditBodies } from './profiles.js';
import { resolveServer } from './resolve.js';
import type { ResolvedManifest } from './types.js';

/** The flags of an ad-hoc run. */
export interface AdHocOptions {
  profile?: string;
  allow: string[];
  readOnly: string[];
  denyNetwork: boolean;
}

/** Commands that run something else: the server is named after what they run. */
const LAUNCHERS = new Set([
  'node',
  'nodejs',
  'npx',
  'bun',
  'bunx',
  'deno',
  'uv',
  'uvx',
  'pipx',
  'python',
  'python3',
  'py',
  'pnpm',
  'yarn',
]);
/** Sub-commands of launchers that come before the thing launched (`uv run x`, `pnpm dlx x`). */
const SUBCOMMANDS = new Set(['run', 'dlx', 'exec', 'x', 'tool']);
/** File names that say nothing; their package folder names the server instead. */
const GENERIC_FILES = new Set(['index', 'main', 'server', 'cli', 'start', 'app']);
const BUILD_FOLDERS = new Set(['dist', 'build', 'lib', 'src', 'bin', 'out', 'esm', 'cjs']);

function stemOf(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.[A-Za-z][A-Za-z0-9]*$/, '');
}

/** `@scope/pkg@1.2.3` → `pkg`; `dist/index.js` inside `server-x/` → `server-x`; else the stem. */
function launchedName(target: string): string {
  if (
    /^@?[A-Za-z0-9][\w.-]*(\/[\w.-]+)?(@[\w.^~<>=*-]+)?$/.test(target) &&
    !/\.[cm]?[jt]s$|\.py$/.test(target)
  ) {
    const withoutVersion = target.replace(/(.)@[^/]*$/, '$1');
    return withoutVersion.split('/').pop() ?? withoutVersion;
  }
  const parts = target.split(/[\\/]/).filter((part) => part !== '' && part !== '.');
  const stem = stemOf(target);
  if (!GENERIC_FILES.has(stem)) return stem;
  for (let i = parts.length - 2; i >= 0; i -= 1) {
    const folder = parts[i]!;
    if (!BUILD_FOLDERS.has(folder) && folder !== '..') return folder;
  }
  return stem;
}

/**
 * Why: a server name usable in logs and URLs. The command's base name without its extension,
 * except for launchers (`node`, `npx`, `uvx`, …), which are named after what they launch.
 */
export function adHocServerName(command: string, args: readonly string[] = []): string {
  let stem = stemOf(command);
  if (LAUNCHERS.has(stem.toLowerCase().replace(/[\d.]+$/, ''))) {
    const target = args.find(
      (arg, i) => !arg.startsWith('-') && !(i === 0 && SUBCOMMANDS.has(arg)),
    );
    if (target !== undefined) stem = launchedName(target);
  }
  const name = stem.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
  return name === '' ? 'server' : name;
}

/**
 * Why: an ad-hoc run's `${workspaceFolder}` (the default profile's root). The working directory,
 * unless it is `/` or `$HOME` or above (clients start servers there): a root there would expose
 * the whole home folder, so the server gets a private folder of its own instead,
 * `<state>/work/<name>/`, kept between runs (created before the launch).
 */
export function adHocWorkspace(
  cwd: string,
  name: string,
  stateDir: string,
  ctx: ConfigContext,
): string {
  const path = pathsFor(ctx);
  const home = path.resolve(ctx.homeDir);
  const relative = path.relative(cwd, home);
  const aboveHome = relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  return cwd === path.parse(cwd).root || aboveHome ? path.join(stateDir, 'work', name) : cwd;
}

/** Why: guards any command with no manifest, confined by a profile and the command-line flags. */
export function resolveAdHoc(
  command: string,
  args: string[],
  ctx: ConfigContext,
  options: AdHocOptions,
): ResolvedManifest {
  const path = pathsFor(ctx);
  const dir = path.resolve(ctx.cwd);
  const stateDir = userStateDir(ctx);
  const name = adHocServerName(command, args);
  const scope = variableScope(adHocWorkspace(dir, name, stateDir, ctx), ctx);
  const problems: ConfigProblem[] = [];
  // No project `profiles/` folder: clients often start servers in `/`, and it is not a project.
  const chain = loadProfileChain(
    options.profile ?? DEFAULT_PROFILE,
    { baseDir: dir, key: '--profile' },
    ctx,
  );
  problems.push(...chain.problems);
  const layers: PartialServer[] = chain.layers.map((layer) => {
    const result = normalizeLayer(layer, scope);
    problems.push(...result.problems);
    return result.server;
  });
  const fromFlags = (list: string[]): string[] =>
    list.map((p) => path.resolve(dir, expandTilde(p, ctx.homeDir)));
  const flags: PartialServer = {
    paths: {
      ...(options.allow.length > 0 ? { roots: fromFlags(options.allow) } : {}),
      ...(options.readOnly.length > 0 ? { readOnly: fromFlags(options.readOnly) } : {}),
    },
    ...(options.denyNetwork ? { sandbox: { network: 'deny' as const } } : {}),
  };
  const base = { dir, platform: platformOf(ctx), path };
  const resolved = resolveServer(name, { command, args }, [...layers, flags], base);
  problems.push(...resolved.problems.map((message) => ({ key: '--profile', message })));
  if (problems.length > 0) throw invalid(options.profile ?? DEFAULT_PROFILE, problems);
  return {
    file: null,
    dir,
    stateDir,
    version: 1,
    profile: chain.resolvedName,
    ...(chain.files.length > 0 ? { profileFiles: chain.files } : {}),
    audit: { file: path.join(stateDir, 'audit.jsonl'), bodies: profileAuditBodies(chain) ?? false },
    servers: { [name]: resolved.server },
  };
}
