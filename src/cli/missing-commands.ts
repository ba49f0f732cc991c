/**
 * Whether each server's command exists, found as its launch finds it: a path taken from the
 * server's working folder, or a name looked up on the PATH the server gets (its `inheritEnv` and
 * `env`). `check` and `doctor` call a manifest valid only when every command can start.
 */
import { join } from 'node:path';
import { userCacheDir, type ConfigContext } from '../config/context.js';
import { serverEnv } from '../config/server-env.js';
import type { ResolvedManifest } from '../config/types.js';
import { readYamlSource } from '../config/yaml-source.js';
import { type ConfigProblem, GuardError } from '../errors.js';
import { nodeFs } from '../sandbox/fs-view.js';
import { findCommand } from '../sandbox/program.js';

/** Why: a command that does not exist is found before a client starts it, at its file:line:col. */
export function missingCommands(manifest: ResolvedManifest, ctx: ConfigContext): ConfigProblem[] {
  // Windows finds commands through PATHEXT and .cmd shims: the spawn there is the judge.
  if (manifest.file === null || (ctx.platform ?? process.platform) === 'win32') return [];
  const problems: ConfigProblem[] = [];
  let source: ReturnType<typeof readYamlSource>['source'];
  for (const server of Object.values(manifest.servers)) {
    const searchPath = serverEnv(server, ctx.env, 'linux').PATH ?? ctx.env.PATH ?? '';
    const input = { command: server.command, cwd: server.cwd, searchPath };
    if (findCommand(input, nodeFs) !== null) continue;
    source ??= readYamlSource(manifest.file, join(userCacheDir(ctx), 'parsed')).source;
    const where = source?.locate(['servers', server.name, 'command'], 'value') ?? {
      file: manifest.file,
    };
    const message = server.command.includes('/')
      ? `'${server.command}' does not exist`
      : `'${server.command}' is not found on the server's PATH (${searchPath || 'empty'})`;
    problems.push({ ...where, key: `servers.${server.name}.command`, message });
  }
  return problems;
}

/** Why: `check` reports a missing command like any other problem (exit 2). */
export function assertCommandsExist(manifest: ResolvedManifest, ctx: ConfigContext): void {
  const problems = missingCommands(manifest, ctx);
  if (problems.length === 0) return;
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  throw new GuardError('ERR_CONFIG_INVALID', `${manifest.file}: ${count} in the configuration`, {
    problems,
  });
}
