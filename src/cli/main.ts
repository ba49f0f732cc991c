#!/usr/bin/env node
/**
 * Entry point: picks the command and loads only its module, so `mcp-guard run` pays for nothing
 * the other commands need.
 */
import { GuardError, formatProblem } from '../errors.js';
import { VERSION } from '../version.js';

/** Every command module exports `main(argv)` resolving to the process exit code. */
export type CommandMain = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main: CommandMain }> }> = {
  run: {
    summary: 'stdio bridge for one server (what a client config launches)',
    load: () => import('./run.js'),
  },
  up: {
    summary: 'supervise every (or the named) manifest server in the foreground',
    load: () => import('./up.js'),
  },
  check: {
    summary: 'validate the manifest and print the resolved configuration',
    load: () => import('./check.js'),
  },
  status: {
    summary: 'state, pid, uptime, restarts, health, calls and denials of running servers',
    load: () => import('./status.js'),
  },
  logs: {
    summary: 'pretty-print the audit log; --verify checks its hash chain',
    load: () => import('./logs.js'),
  },
  prepare: {
    summary: "fill servers' private package caches so they start offline",
    load: () => import('./prepare.js'),
  },
  pin: {
    summary: 'record (or, with --check, verify) the tool definitions in mcp-guard.lock',
    load: () => import('./pin.js'),
  },
  doctor: { summary: 'what this machine supports', load: () => import('./doctor.js') },
};

const USAGE = `mcp-guard ${VERSION} — a supervisor and guard for stdio MCP servers

Usage: mcp-guard <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run 'mcp-guard <command> --help' for a command's options.
`;

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stderr.write(USAGE);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    // Data, not a human message: stdout, so `mcp-guard --version` can be captured.
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    process.stderr.write(`mcp-guard: unknown command '${first}'\n\n${USAGE}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.main(rest);
  } catch (err) {
    return reportFailure(err);
  }
}

/** Turns a thrown failure into stderr text and an exit code (2 usage/config, 1 runtime). */
export function reportFailure(err: unknown): number {
  if (err instanceof GuardError) {
    process.stderr.write(`mcp-guard: ${err.message}\n`);
    for (const problem of err.problems) process.stderr.write(`  ${formatProblem(problem)}\n`);
    return err.exitCode;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`mcp-guard: unexpected failure: ${text}\n`);
  return 1;
}

/** Exits once stdout has flushed (a relay must not lose its last replies), at most 1 s later. */
function exitAfterFlush(code: number): void {
  const timer = setTimeout(() => process.exit(code), 1000);
  timer.unref();
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) =>
  exitAfterFlush(reportFailure(err)),
);
