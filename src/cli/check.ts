/**
 * `mcp-guard check [-c FILE] [--profile P]`: validate the manifest and print the resolved
 * configuration (profiles merged, variables expanded) as YAML on stdout — like
 * `docker compose config`. Problems go to stderr as `file:line:col: key: message`, exit 2.
 */
import { relative, isAbsolute } from 'node:path';
import { formatResolved } from '../config/index.js';
import type { Origin } from '../config/explain.js';
import type { ManifestTrace } from '../config/manifest.js';
import type { ResolvedManifest } from '../config/types.js';
import { type ConfigProblem, GuardError, formatProblem } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, PROFILE_OPTION } from './config-lookup.js';
import { assertCommandsExist } from './missing-commands.js';

const OPTIONS = {
  config: CONFIG_OPTION,
  profile: PROFILE_OPTION,
  explain: {
    type: 'boolean',
    help: 'say beside each value which layer set it: built-in, profile NAME (file:line:col), defaults, or the server',
  },
} as const;

/** Why: `check` is the command users run to see what every other command will do. */
export const command = defineCommand({
  name: 'check',
  summary: 'validate the manifest and print the resolved configuration',
  usage: ['check [-c FILE] [--profile P] [--explain]'],
  description: `Validates the manifest and prints the fully resolved configuration (profiles
    merged, variables expanded, durations in milliseconds, sizes in bytes) as YAML on stdout.
    Every problem is listed on stderr as file:line:col: key: message, and the exit code is 2.

    With --explain, each value carries a comment naming the layer that set it (later wins:
    built-in defaults, the profile chain base first, defaults, the server's own keys); an item of
    a list that accumulates (deny, readOnly, redact) names the layer that added it. The output
    still loads back as a manifest.`,
  options: OPTIONS,
  output: 'stdout',
  run: check,
});

/** Paths under the working directory are shown relative to it, as editors and terminals link them. */
function shortPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

function printProblems(err: GuardError, cwd: string): void {
  const lines = err.problems.map((p: ConfigProblem) =>
    formatProblem(p.file === undefined ? p : { ...p, file: shortPath(p.file, cwd) }),
  );
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  process.stderr.write(`${lines.join('\n')}\nmcp-guard check: ${count}; nothing was started\n`);
}

/** Why: `--explain` loads through the tracing path, which only this flag pays for. */
async function explained(call: CommandCall<typeof OPTIONS>): Promise<ResolvedManifest> {
  const { explainOrigins, formatExplained } = await import('../config/explain.js');
  let trace: ManifestTrace | undefined;
  const manifest = call.config.load(undefined, undefined, (t) => (trace = t));
  if (trace === undefined) throw new Error('the manifest was loaded without its layers');
  const origins = explainOrigins(trace, manifest, call.ctx, call.values.profile !== undefined);
  const describe = (origin: Origin): string =>
    origin.where === undefined
      ? origin.label
      : `${origin.label} (${shortPath(origin.where.file, call.ctx.cwd)}:${origin.where.line}:${origin.where.col})`;
  call.out.write(formatExplained(manifest, origins, describe));
  return manifest;
}

async function check(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const { ctx } = call;
  try {
    const manifest = call.values.explain === true ? await explained(call) : call.config.load();
    assertCommandsExist(manifest, ctx);
    if (call.values.explain !== true) call.out.write(formatResolved(manifest));
    if (ctx.platform === 'win32') {
      const named = (mode: string) =>
        Object.values(manifest.servers)
          .filter((s) => s.sandbox.mode === mode)
          .map((s) => `'${s.name}'`);
      const notes = [
        ...named('auto').map((n) => `${n} runs unconfined (sandbox.mode: auto)`),
        ...named('required').map((n) => `${n} refuses to start (sandbox.mode: required)`),
      ];
      if (notes.length > 0) {
        process.stderr.write(
          `mcp-guard check: note: Windows has no OS sandbox: ${notes.join('; ')}\n`,
        );
      }
    }
    return 0;
  } catch (err) {
    if (!(err instanceof GuardError) || err.problems.length === 0) throw err;
    printProblems(err, ctx.cwd);
    return err.exitCode;
  }
}
