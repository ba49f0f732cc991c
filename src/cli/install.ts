/**
 * `mcp-guard install --client C [-c FILE] [--profile P] [--dry-run]`: rewrites the client's config
 * so each local server launches through `mcp-guard run NAME -c <absolute manifest>`, adding to the
 * manifest the servers it does not have yet. The diff (with --dry-run) goes to stdout; what was
 * done, skipped or left goes to stderr.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTwoFilesPatch } from 'diff';
import { CLIENT_IDS, isClientId } from '../adopt/index.js';
import { readClientFile } from '../adopt/client-file.js';
import { clientLocations, type ClientId } from '../adopt/client-paths.js';
import { writeClientFile } from '../adopt/client-write.js';
import { existingLocations } from '../adopt/import-servers.js';
import type { EntryOutcome, WrappedServer } from '../adopt/install-plan.js';
import { planInstall } from '../adopt/install-plan.js';
import type { Launcher } from '../adopt/launcher.js';
import { writeFileAtomic } from '../atomic-file.js';
import { userConfigDir } from '../config/context.js';
import { withPassedEnv } from '../config/server-env.js';
import { starterFor } from '../config/starter.js';
import { formatProblem, GuardError } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, ConfigLookup, PROFILE_OPTION } from './config-lookup.js';
import { prepareServer, usesPackageRunner } from './prepare-server.js';

export const CLIENT_OPTION = {
  type: 'string',
  value: 'CLIENT',
  help: `the client whose config is rewritten: ${CLIENT_IDS.join(', ')}`,
} as const;

export const DRY_RUN_OPTION = {
  type: 'boolean',
  help: 'print the changes as a unified diff and write nothing',
} as const;

const OPTIONS = {
  client: CLIENT_OPTION,
  config: {
    ...CONFIG_OPTION,
    help: 'the manifest the entries launch with (created when missing; default: the discovered one, else ~/.config/mcp-guard/mcp-guard.yaml)',
  },
  profile: {
    ...PROFILE_OPTION,
    help: 'run the servers under profile P (and start a new manifest with it)',
  },
  'dry-run': DRY_RUN_OPTION,
  'no-prepare': {
    type: 'boolean',
    help: "do not start the npx/uvx servers once now to fill their package caches (their client's first start downloads them)",
  },
} as const;

export const command = defineCommand({
  name: 'install',
  summary: "rewrite a client's config so its servers launch through mcp-guard",
  usage: ['install --client CLIENT [-c FILE] [--profile P] [--dry-run] [--no-prepare]'],
  description: `Rewrites the client's MCP config (each of its files: the project's
    .cursor/mcp.json or .vscode/mcp.json in the working directory, and the user's) so that each
    local server is launched as \`mcp-guard run NAME -c MANIFEST\`, with the manifest's absolute
    path. Servers not in the manifest yet are added to it (as \`import\` writes them).

    Only each entry's command and args change: its name, env (the secrets stay where they
    are), every other field, the key order, indentation and comments are kept. An entry
    already launched through mcp-guard is left alone. A timestamped backup of the file is
    written beside it first; the file is replaced atomically, under Cline's lock for Cline.
    \`mcp-guard uninstall --client C\` puts the entries back.

    Then each server launched through npx, uvx or the like is started once in its sandbox with
    the network allowed, as \`mcp-guard prepare\` does, so that its private package cache is
    filled and the client's first start answers inside the client's connect budget (Cline gives
    a server 3 s) instead of downloading the package first.`,
  options: OPTIONS,
  output: 'stdout',
  run: install,
});

/**
 * Why: absolute node and the package's bin, the bundled start-up path (see docs/install.md);
 * `dist/bin/` beside `dist/cli/`, whichever of the two this module was loaded from.
 */
export function currentLauncher(): Launcher {
  return {
    command: process.execPath,
    args: [fileURLToPath(new URL('../bin/mcp-guard.js', import.meta.url))],
  };
}

/** The client named by `--client`, or a usage error. */
export function clientOf(call: {
  values: { client?: string };
  usageError(m: string): GuardError;
}): ClientId {
  const client = call.values.client;
  if (client === undefined) throw call.usageError('--client is required');
  if (!isClientId(client)) {
    throw call.usageError(`unknown client '${client}' (expected one of ${CLIENT_IDS.join(', ')})`);
  }
  return client;
}

/** Why: `install` and `uninstall` refuse the same way when the client has no config here. */
export function clientFilesOf(client: ClientId, call: { ctx: CommandCall<typeof OPTIONS>['ctx'] }) {
  const found = existingLocations(client, call.ctx);
  if (found.length === 0) {
    const looked = clientLocations(client, call.ctx).map((l) => l.path);
    throw new GuardError(
      'ERR_CONFIG_NOT_FOUND',
      `no ${client} config found; looked at:\n  ${looked.join('\n  ')}`,
    );
  }
  return found;
}

export function printOutcomes(name: string, file: string, outcomes: readonly EntryOutcome[]): void {
  for (const o of outcomes)
    process.stderr.write(
      `mcp-guard ${name}: ${file}: '${o.entryName}' ${o.outcome}: ${o.detail}\n`,
    );
}

export function unifiedDiff(file: string, before: string, after: string): string {
  return createTwoFilesPatch(file, file, before, after, undefined, undefined, { context: 3 });
}

function manifestPath(call: CommandCall<typeof OPTIONS>): string {
  const given = call.values.config;
  if (given !== undefined) {
    const file = resolve(call.ctx.cwd, given);
    return statSync(file, { throwIfNoEntry: false })?.isDirectory() === true
      ? join(file, 'mcp-guard.yaml')
      : file;
  }
  return call.config.findIfAny() ?? join(userConfigDir(call.ctx), 'mcp-guard.yaml');
}

async function install(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const client = clientOf(call);
  const locations = clientFilesOf(client, call);
  const manifestFile = manifestPath(call);
  const manifestBefore = existsSync(manifestFile) ? readFileSync(manifestFile, 'utf8') : null;
  let manifestText =
    manifestBefore ?? starterFor(call.values.profile ?? 'default', dirname(manifestFile));
  const changes: { location: (typeof locations)[number]; before: string; after: string }[] = [];
  const wrapped: WrappedServer[] = [];
  for (const location of locations) {
    const file = readClientFile(location);
    if (file === null) continue;
    const plan = planInstall({
      file,
      manifestFile,
      manifestText,
      launcher: currentLauncher(),
      ...(call.values.profile === undefined ? {} : { profile: call.values.profile }),
      ctx: call.ctx,
    });
    manifestText = plan.manifestText;
    wrapped.push(...plan.wrapped);
    for (const note of plan.notes) process.stderr.write(`mcp-guard install: note: ${note}\n`);
    printOutcomes('install', location.path, plan.outcomes);
    if (plan.clientText !== file.text)
      changes.push({ location, before: file.text, after: plan.clientText });
  }
  const manifestChanged = manifestBefore !== manifestText;
  if (call.values['dry-run'] === true) {
    if (manifestChanged)
      call.out.write(unifiedDiff(manifestFile, manifestBefore ?? '', manifestText));
    for (const change of changes)
      call.out.write(unifiedDiff(change.location.path, change.before, change.after));
    process.stderr.write('mcp-guard install: --dry-run: nothing was written\n');
    return 0;
  }
  if (manifestChanged) {
    try {
      writeFileAtomic(manifestFile, manifestText);
    } catch (err) {
      throw new GuardError('ERR_WRITE', `cannot write ${manifestFile}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    process.stderr.write(
      `mcp-guard install: ${manifestBefore === null ? 'created' : 'updated'} ${manifestFile}\n`,
    );
  }
  const now = new Date();
  for (const change of changes) {
    const backup = await writeClientFile({ ...change, now });
    process.stderr.write(
      `mcp-guard install: rewrote ${change.location.path} (backup: ${backup})\n`,
    );
  }
  if (changes.length === 0) process.stderr.write('mcp-guard install: no entry to change\n');
  if (call.values['no-prepare'] !== true) await prepareWrapped(call, manifestFile, wrapped);
  return 0;
}

/** How many servers `install` starts at once to fill their caches (downloads mostly wait). */
const PREPARE_AT_ONCE = 4;

/**
 * Why: the client's first start of an npx server would otherwise download the package into a
 * fresh private cache, beyond the client's connect budget. Each wrapped server that runs through
 * a package runner is started once now, with the environment the client gives it (its entry's
 * env), as `run` would start it but with the network allowed. A failure is said, with the fix,
 * and does not undo the install.
 */
async function prepareWrapped(
  call: CommandCall<typeof OPTIONS>,
  manifestFile: string,
  wrapped: readonly WrappedServer[],
): Promise<void> {
  const queue = [...new Map(wrapped.map((target) => [target.name, target])).values()];
  const worker = async (): Promise<void> => {
    for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
      await prepareOne(call, manifestFile, target);
    }
  };
  await Promise.all(Array.from({ length: PREPARE_AT_ONCE }, worker));
}

async function prepareOne(
  call: CommandCall<typeof OPTIONS>,
  manifestFile: string,
  target: WrappedServer,
): Promise<void> {
  const hostEnv = { ...process.env, ...target.env };
  const fix = `run \`mcp-guard prepare ${target.name} -c ${manifestFile}\` with the network allowed`;
  try {
    const ctx = { ...call.ctx, env: hostEnv };
    const { manifest, named } = new ConfigLookup(ctx, manifestFile, call.values.profile).servers([
      target.name,
    ]);
    const server = withPassedEnv(named![0]!, target.envNames);
    if (!usesPackageRunner(server)) return;
    const options = { hostEnv, timeoutMs: 300_000, out: process.stderr, who: 'install' };
    if (!(await prepareServer(server, manifest, options))) {
      process.stderr.write(
        `mcp-guard install: '${target.name}' is installed but not prepared: ${fix}\n`,
      );
    }
  } catch (err) {
    const problems = err instanceof GuardError ? err.problems.map(formatProblem) : [];
    const why = [(err as Error).message, ...problems].join('; ');
    process.stderr.write(
      `mcp-guard install: '${target.name}' is installed but not prepared (${why}): ${fix}\n`,
    );
  }
}
