/**
 * `mcp-guard check [-c FILE] [--profile P]`: validate the manifest and print the resolved
 * configuration (profiles merged, variables expanded) as YAML on stdout — like
 * `docker compose config`. Problems go to stderr as `file:line:col: key: message`, exit 2.
 */
import { relative, isAbsolute } from 'node:path';
import { formatResolved } from '../config/index.js';
import { type ConfigProblem, GuardError, formatProblem } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, PROFILE_OPTION } from './config-lookup.js';

const OPTIONS = { config: CONFIG_OPTION, profile: PROFILE_OPTION } as const;

/** Why: `check` is the command users run to see what every other command will do. */
export const command = defineCommand({
  name: 'check',
  summary: 'validate the manifest and print the resolved configuration',
  usage: ['check [-c FILE] [--profile P]'],
  description: `Validates the manifest and prints the fully resolved configuration (profiles
    merged, variables expanded, durations in milliseconds, sizes in bytes) as YAML on stdout.
    Every problem is listed on stderr as file:line:col: key: message, and the exit code is 2.`,
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

function check(call: CommandCall<typeof OPTIONS>): number {
  const { ctx } = call;
  try {
    const manifest = call.config.load();
    call.out.write(formatResolved(manifest));
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
