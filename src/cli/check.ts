/**
 * `mcp-guard check [-c FILE] [--profile P]`: validate the manifest and print the resolved
 * configuration (profiles merged, variables expanded) as YAML on stdout — like
 * `docker compose config`. Problems go to stderr as `file:line:col: key: message`, exit 2.
 */
import { relative, isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { contextFromProcess, findManifest, formatResolved, loadManifest } from '../config/index.js';
import { type ConfigProblem, GuardError, formatProblem } from '../errors.js';

const HELP = `Usage: mcp-guard check [-c FILE] [--profile P]

Validates the manifest and prints the fully resolved configuration (profiles merged, variables
expanded, durations in milliseconds, sizes in bytes) as YAML on stdout. Every problem is listed
on stderr as file:line:col: key: message, and the exit code is 2.

Options:
  -c, --config FILE   the manifest (default: $MCP_GUARD_CONFIG, else the nearest mcp-guard.yaml,
                      else ~/.config/mcp-guard/mcp-guard.yaml)
  --profile P         use profile P instead of the manifest's
  -h, --help          show this help
`;

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

/** Why: `check` is the command users run to see what every other command will do. */
export function main(argv: string[]): Promise<number> {
  return Promise.resolve(check(argv));
}

function check(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`mcp-guard check: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help === true) {
    process.stderr.write(HELP);
    return 0;
  }
  const ctx = contextFromProcess();
  try {
    const file = findManifest(ctx, values.config);
    const manifest = loadManifest(
      file,
      ctx,
      values.profile === undefined ? {} : { profile: values.profile },
    );
    process.stdout.write(formatResolved(manifest));
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
