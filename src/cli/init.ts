/**
 * `mcp-guard init [--profile P]`: writes a commented starter `mcp-guard.yaml` in the working
 * directory, valid as written, and never over an existing one (exit 2, nothing written: the
 * folder already has a configuration, which is the user's to change). The file is created
 * exclusively, so a manifest appearing meanwhile is not overwritten either.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findManifest, loadManifest, MANIFEST_NAME } from '../config/load.js';
import { pathsFor, readEnv } from '../config/context.js';
import { builtinProfiles, DEFAULT_PROFILE, loadProfileChain } from '../config/profiles.js';
import { starterManifest } from '../config/starter.js';
import { GuardError, formatProblem } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';

const OPTIONS = {
  profile: {
    type: 'string',
    value: 'P',
    help: 'the profile the manifest names (default: default; built-in: default, strict, readonly, observe)',
  },
} as const;

export const command = defineCommand({
  name: 'init',
  summary: 'write a commented starter mcp-guard.yaml in the current directory',
  usage: ['init [--profile P]'],
  description: `Writes a commented starter mcp-guard.yaml in the current directory: the schema
    line editors complete it from, the profile (P, looked up as the manifest would look it up),
    the audit trail, and an example server to copy. It is valid as written: mcp-guard check
    passes on it.

    An existing mcp-guard.yaml is never overwritten: init says so and exits 2 with nothing
    written. A manifest in a folder above is left alone; the new one applies to this folder.`,
  options: OPTIONS,
  output: 'stderr',
  run: init,
});

/** The schema shipped in this package (the `schema/` folder beside `dist/`). */
const OWN_SCHEMA = fileURLToPath(new URL('../../schema/mcp-guard.schema.json', import.meta.url));
const INSTALLED_SCHEMA = './node_modules/mcp-guard/schema/mcp-guard.schema.json';

/** SPEC 4's order, loosest first; any other built-in after them. */
const ORDER = ['default', 'strict', 'readonly', 'observe'];
const rank = (name: string): number => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

function init(call: CommandCall<typeof OPTIONS>): number {
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
  const text = starterManifest({
    profile,
    builtins: Object.entries(builtinProfiles())
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([name, { data }]) => ({
        name,
        ...(typeof data.description === 'string' ? { description: data.description } : {}),
      })),
    // A project with mcp-guard installed gets a path that works in every clone.
    schema: existsSync(path.join(dir, INSTALLED_SCHEMA)) ? INSTALLED_SCHEMA : OWN_SCHEMA,
  });
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return refuse(file);
    throw new GuardError('ERR_WRITE', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    loadManifest(file, ctx);
  } catch (err) {
    // The starter is meant to be valid wherever it is written; if not, leave nothing behind.
    unlinkSync(file);
    throw err;
  }
  const notes = [
    `mcp-guard init: wrote ${file} (profile ${profile})`,
    ...(before === null ? [] : [`mcp-guard init: note: ${before}`]),
    "mcp-guard init: next: add a server under 'servers:', then run 'mcp-guard check'",
  ];
  process.stderr.write(`${notes.join('\n')}\n`);
  return 0;
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
