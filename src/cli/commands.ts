/**
 * The list of commands and the dispatch: each entry loads only its own module, so `mcp-guard run`
 * pays for nothing the other commands need; `--help` lists every command from its declaration.
 */
import { VERSION } from '../version.js';
import type { Command } from './command.js';

type Loader = () => Promise<{ command: Command }>;

/** In the order `mcp-guard --help` lists them; each module declares its command as `command`. */
export const COMMANDS: Readonly<Record<string, Loader>> = {
  run: () => import('./run.js'),
  up: () => import('./up.js'),
  check: () => import('./check.js'),
  init: () => import('./init.js'),
  status: () => import('./status.js'),
  logs: () => import('./logs.js'),
  prepare: () => import('./prepare.js'),
  pin: () => import('./pin.js'),
  doctor: () => import('./doctor.js'),
  import: () => import('./import.js'),
  install: () => import('./install.js'),
  uninstall: () => import('./uninstall.js'),
};

/** Every declared command, in the list's order. */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).command));
}

/** The tool's own help, built from the commands' declarations. */
export async function toolHelp(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return `mcp-guard ${VERSION} — a supervisor and guard for stdio MCP servers

Usage: mcp-guard <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'mcp-guard <command> --help' for a command's options.
`;
}

/** Runs the command `argv` names; resolves to the process exit code. */
export async function dispatch(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  // Asked for, the help is output (stdout); without a command it is a usage error (stderr, 2).
  if (first === undefined) {
    process.stderr.write(await toolHelp());
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(await toolHelp());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    // Data, not a human message: stdout, so `mcp-guard --version` can be captured.
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (load === undefined) {
    process.stderr.write(`mcp-guard: unknown command '${first}'\n\n${await toolHelp()}`);
    return 2;
  }
  const { command } = await load();
  return command.invoke(rest);
}
