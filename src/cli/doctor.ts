/**
 * `mcp-guard doctor`: what this machine offers mcp-guard — Node version, platform, and whether a
 * manifest is found and valid. Exits 1 when something needs fixing.
 */
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { findManifest, loadManifest } from '../config/load.js';
import { GuardError, formatProblem } from '../errors.js';
import { VERSION } from '../version.js';

const HELP = `Usage: mcp-guard doctor [-c FILE]

Shows what this machine supports: Node version, platform, and the manifest found (and whether it is valid).
`;

const MIN_NODE: readonly [number, number] = [20, 5];

export function main(argv: string[]): Promise<number> {
  return Promise.resolve(diagnose(argv));
}

function diagnose(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    throw new GuardError('ERR_USAGE', `${(err as Error).message}\n\n${HELP}`);
  }
  if (values.help === true) {
    process.stderr.write(HELP);
    return 0;
  }
  const lines: string[] = [];
  let healthy = true;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  healthy &&= nodeOk;
  lines.push(`mcp-guard  ${VERSION}`);
  lines.push(
    `node       ${process.versions.node} ${nodeOk ? '(ok)' : `(too old: needs >= ${MIN_NODE.join('.')})`}`,
  );
  lines.push(`platform   ${process.platform} ${process.arch}`);
  const ctx = { cwd: process.cwd(), env: process.env, homeDir: homedir() };
  try {
    const file = findManifest(ctx, values.config);
    try {
      const manifest = loadManifest(file, ctx);
      const names = Object.keys(manifest.servers);
      lines.push(
        `manifest   ${file} (valid; ${names.length} server(s): ${names.join(', ') || 'none'})`,
      );
      lines.push(`audit log  ${manifest.audit.file}`);
    } catch (err) {
      if (!(err instanceof GuardError)) throw err;
      healthy = false;
      lines.push(`manifest   ${file} (invalid: ${err.problems.length} problem(s))`);
      for (const problem of err.problems) lines.push(`           ${formatProblem(problem)}`);
    }
  } catch (err) {
    if (!(err instanceof GuardError)) throw err;
    lines.push(`manifest   none found (${err.message}); 'mcp-guard run -- CMD' works without one`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  return healthy ? 0 : 1;
}
