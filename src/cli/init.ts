/**
 * `mcp-guard init [--profile P] [--from CLIENT|FILE]`: writes a commented starter
 * `mcp-guard.yaml` in the working directory, valid as written, with the client's servers when
 * `--from` names one (as `import` reads them), and never over an existing one (exit 2, nothing
 * written: the folder already has a configuration, which is the user's to change). The file is
 * created exclusively, so a manifest appearing meanwhile is not overwritten either.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { findManifest, loadManifest, MANIFEST_NAME } from '../config/load.js';
import { pathsFor, readEnv } from '../config/context.js';
import { DEFAULT_PROFILE, loadProfileChain } from '../config/profiles.js';
import { starterFor } from '../config/starter.js';
import { GuardError, formatProblem } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';

const OPTIONS = {
  profile: {
    type: 'string',
    value: 'P',
    help: 'the profile the manifest names (default: default; built-in: default, strict, readonly, observe)',
  },
  from: {
    type: 'string',
    value: 'CLIENT|FILE',
    help: "start with this client's servers, as `mcp-guard import --from` reads them (cline, claude, cursor, vscode, windsurf, or a config file)",
  },
} as const;

export const command = defineCommand({
  name: 'init',
  summary: 'write a commented starter mcp-guard.yaml in the current directory',
  usage: ['init [--profile P] [--from CLIENT|FILE]'],
  description: `Writes a commented starter mcp-guard.yaml in the current directory: the schema
    line editors complete it from, the profile (P, looked up as the manifest would look it up),
    the audit trail, and an example server to copy. It is valid as written: mcp-guard check
    passes on it.

    With --from, its servers are the client's local (stdio) servers, as mcp-guard import reads
    them: secrets stay in the client's config and the manifest refers to them as \${env:NAME};
    remote and disabled entries are listed on stderr as skipped.

    An existing mcp-guard.yaml is never overwritten: init says so and exits 2 with nothing
    written. A manifest in a folder above is left alone; the new one applies to this folder.`,
  options: OPTIONS,
  output: 'stdout',
  run: init,
});

/** A variable the client gives its server but this shell does not have is no problem of init's. */
const UNSET_ENV = /^environment variable (\S+) is not set/;

async function init(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const { ctx } = call;
  const path = pathsFor(ctx);
  const dir = path.resolve(ctx.cwd);
  const file = path.join(dir, MANIFEST_NAME);
  if (existsSync(file)) return refuse(file);
  const profile = call.values.profile ?? DEFAULT_PROFILE;
  const chain = loadProfileChain(
    profile,
    { baseDir: dir, manifestDir: dir, key: '--profile' },
    ctx,
  );
  if (chain.problems.length > 0) {
    throw new GuardError('ERR_CONFIG_INVALID', `cannot use profile '${profile}'`, {
      problems: chain.problems,
    });
  }
  const before = manifestBefore(call);
  let text = starterFor(profile, dir);
  let imported: string[] = [];
  let client = 'CLIENT';
  if (call.values.from !== undefined) {
    const [{ importServers, addServers }, { reportImport }] = await Promise.all([
      import('../adopt/index.js'),
      import('./import.js'),
    ]);
    const result = importServers(call.values.from, ctx);
    reportImport('init', result);
    const addition = addServers(file, text, result.servers);
    text = addition.text;
    imported = addition.added;
    if (result.source.client !== 'file') client = result.source.client;
  }
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return refuse(file);
    throw new GuardError('ERR_WRITE', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const unset = checkWritten(file, call);
  const notes = [
    `wrote ${file} (profile ${profile}${imported.length > 0 ? `; servers ${imported.join(', ')}` : ''})`,
    ...(before === null ? [] : [`note: ${before}`]),
    ...(unset.length === 0
      ? []
      : [
          `note: the client gives its servers ${unset.join(', ')}; set ${unset.length === 1 ? 'it' : 'them'} in this shell for 'mcp-guard check' and 'up'`,
        ]),
    imported.length > 0
      ? `next: 'mcp-guard check', then 'mcp-guard install --client ${client}' to launch them through mcp-guard`
      : "next: add a server under 'servers:', then run 'mcp-guard check'",
  ];
  process.stderr.write(notes.map((line) => `mcp-guard init: ${line}\n`).join(''));
  return 0;
}

/**
 * Why: what init wrote must load. Only a `${env:…}` the client sets for its server and this
 * shell lacks is expected (returned, to mention); anything else removes the file and fails.
 */
function checkWritten(file: string, call: CommandCall<typeof OPTIONS>): string[] {
  try {
    loadManifest(file, call.ctx);
    return [];
  } catch (err) {
    const problems = err instanceof GuardError ? err.problems : [];
    const unset = problems.map((p) => UNSET_ENV.exec(p.message)?.[1]);
    if (problems.length > 0 && unset.every((name) => name !== undefined))
      return [...new Set(unset)].map((name) => `$${name}`);
    unlinkSync(file);
    throw err;
  }
}

function refuse(file: string): number {
  process.stderr.write(
    `${formatProblem({ file, message: 'a manifest is already here; init does not overwrite it (nothing was written)' })}\n`,
  );
  return 2;
}

/** Why: the manifest commands used here until now (one above, or the user's) is worth a word. */
function manifestBefore(call: CommandCall<typeof OPTIONS>): string | null {
  const named = readEnv(call.ctx, 'MCP_GUARD_CONFIG');
  if (named !== undefined && named !== '')
    return `$MCP_GUARD_CONFIG names ${named}: commands use that one, not this file, while it is set`;
  try {
    return `it takes the place of ${findManifest(call.ctx)} in this folder`;
  } catch {
    return null;
  }
}
