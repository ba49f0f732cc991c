/**
 * From merged layers to a complete ServerConfig: the built-in defaults fill every gap, relative
 * paths become absolute against the manifest's folder, and cross-key checks run.
 */
import type { ServerConfig } from './types.js';
import { builtinDefaults } from './builtin-defaults.js';
import type { PartialServer } from './layer.js';
import { mergeLayers, union } from './merge.js';

/** Why: path handling depends on the manifest's folder and the platform's path rules. */
export interface ResolveBase {
  /** `${workspaceFolder}`: relative paths are taken from here. */
  dir: string;
  platform: NodeJS.Platform;
  path: { isAbsolute(p: string): boolean; resolve(...p: string[]): string };
}

function hasSeparator(value: string, platform: NodeJS.Platform): boolean {
  return value.includes('/') || (platform === 'win32' && value.includes('\\'));
}

/** Why: a bare command is found on PATH at spawn; one with a separator is a path from the manifest. */
export function resolveCommand(command: string, base: ResolveBase): string {
  if (base.path.isAbsolute(command) || !hasSeparator(command, base.platform)) return command;
  return base.path.resolve(base.dir, command);
}

/** Why: deny globs like `**\/.env` match anywhere and stay as written; `./x`, `../x` are anchored. */
export function resolveDenyGlob(glob: string, base: ResolveBase): string {
  const anchored = /^\.\.?([\\/]|$)/.test(glob);
  return anchored ? base.path.resolve(base.dir, glob) : glob;
}

/** Why: stacks the layers over the built-in defaults and produces the resolved server. */
export function resolveServer(
  name: string,
  launch: { command: string; args: string[] },
  layers: readonly PartialServer[],
  base: ResolveBase,
): { server: ServerConfig; problems: string[] } {
  const merged = mergeLayers([builtinDefaults(base.platform), ...layers]) as Omit<
    ServerConfig,
    'name' | 'command' | 'args' | 'cwd'
  > & {
    cwd?: string;
  };
  const absolute = (p: string): string => base.path.resolve(base.dir, p);
  const server: ServerConfig = {
    name,
    command: resolveCommand(launch.command, base),
    args: launch.args,
    cwd: absolute(merged.cwd ?? '.'),
    env: merged.env,
    inheritEnv: union(merged.inheritEnv),
    paths: {
      roots: union(merged.paths.roots.map(absolute)),
      readOnly: union(merged.paths.readOnly.map(absolute)),
      deny: union(merged.paths.deny.map((glob) => resolveDenyGlob(glob, base))),
    },
    tools: merged.tools,
    resources: merged.resources,
    prompts: merged.prompts,
    sampling: merged.sampling,
    elicitation: merged.elicitation,
    observe: merged.observe,
    sandbox: merged.sandbox,
    restart: merged.restart,
    health: merged.health,
    limits: merged.limits,
    output: merged.output,
  };
  const problems: string[] = [];
  const { initial, max } = server.restart.backoff;
  if (initial > max)
    problems.push(
      `restart.backoff.initial (${initial} ms) is longer than restart.backoff.max (${max} ms)`,
    );
  return { server, problems };
}
