/**
 * The command skeleton: a command declares its name, summary, usage, options (each with its help
 * line), where the output it was asked for goes, and a body; parsing (node:util parseArgs), `--help`,
 * flag errors, the config context and exit codes come from here, the same for every command.
 * SPEC §2: what a command was asked for (its table, report, diff, its help) goes to stdout and its
 * diagnostics to stderr, except for `run`, whose stdout carries MCP messages and nothing else.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { contextFromProcess, type ConfigContext } from '../config/load.js';
import { GuardError, formatProblem } from '../errors.js';
import { renderHelp, renderUsage } from './help.js';
import { ConfigLookup } from './config-lookup.js';

/** One flag a command takes, with its line in the command's help. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's name in help: `FILE` in `-c, --config FILE`. */
  readonly value?: string;
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean
  : S['multiple'] extends true
    ? string[]
    : string;

/** The parsed flags: absent when not given. */
export type OptionValues<O extends OptionSpecs> = { readonly [K in keyof O]?: ValueOf<O[K]> };

/**
 * Where the output a command was asked for (its table, report, diff, and its `--help`) is
 * written: stdout, but stderr for `run`, whose stdout is the MCP client's.
 */
export type OutputStream = 'stdout' | 'stderr';

export interface CommandSpec<O extends OptionSpecs> {
  readonly name: string;
  /** One line, for `mcp-guard --help`. */
  readonly summary: string;
  /** The synopsis lines, each without the leading `mcp-guard `. */
  readonly usage: readonly string[];
  /** What the command does, in paragraphs (blank-line separated); wrapped for the terminal. */
  readonly description: string;
  readonly options: O;
  /** Whether the command takes operands (server names); without, an operand is a usage error. */
  readonly operands?: boolean;
  /** Whether everything after the first `--` is kept apart, unparsed (`run -- CMD ARGS…`). */
  readonly passThrough?: boolean;
  /** Diagnostics and usage errors always go to stderr; this is where the asked-for output goes. */
  readonly output: OutputStream;
  run(call: CommandCall<O>): number | Promise<number>;
}

/** What a command's body is given. */
export interface CommandCall<O extends OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly operands: string[];
  /** The words after `--` (with `passThrough`), null when there was no `--`. */
  readonly passThrough: string[] | null;
  readonly ctx: ConfigContext;
  /** The manifest named by `-c`/`--profile` or discovered (SPEC §2 order). */
  readonly config: ConfigLookup;
  /** The stream the command's `output` declaration names. */
  readonly out: NodeJS.WriteStream;
  /** A usage problem: reported with the command's usage, exit 2. */
  usageError(message: string): GuardError;
}

/** A declared command, as `main` dispatches it. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  invoke(argv: readonly string[]): Promise<number>;
}

/** Why: every command gets `-h, --help` the same way. */
const HELP_OPTION = { type: 'boolean', short: 'h', help: 'show this help' } as const;

/** Declares a command; `const` keeps the option literals, so the body's flags are typed. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): Command {
  const options = { ...spec.options, help: HELP_OPTION };
  const help = renderHelp(spec.usage, spec.description, options);
  const invoke = async (argv: readonly string[]): Promise<number> => {
    try {
      const call = parseCall(spec, options, argv);
      if (call === 'help') {
        outputOf(spec).write(help);
        return 0;
      }
      return await spec.run(call);
    } catch (err) {
      if (err instanceof GuardError && err.code === 'ERR_USAGE') {
        const usage = renderUsage(spec.usage);
        process.stderr.write(
          `mcp-guard ${spec.name}: ${err.message}\n\n${usage}\n` +
            `Run 'mcp-guard ${spec.name} --help' for its options.\n`,
        );
        return err.exitCode;
      }
      return reportFailure(err);
    }
  };
  return { name: spec.name, summary: spec.summary, help, invoke };
}

function parseCall<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  options: OptionSpecs,
  argv: readonly string[],
): CommandCall<O> | 'help' {
  const split = spec.passThrough === true ? argv.indexOf('--') : -1;
  const own = split === -1 ? argv : argv.slice(0, split);
  const config: ParseArgsConfig = {
    args: [...own],
    strict: true,
    allowPositionals: spec.operands === true,
    options: Object.fromEntries(
      Object.entries(options).map(([name, { type, short, multiple }]) => [
        name,
        { type, ...(short === undefined ? {} : { short }), ...(multiple ? { multiple } : {}) },
      ]),
    ),
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    throw new GuardError('ERR_USAGE', (err as Error).message);
  }
  const values = parsed.values as OptionValues<O> & { help?: boolean };
  if (values.help === true) return 'help';
  const ctx = contextFromProcess();
  const named = (key: string): string | undefined => {
    const value = (values as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    values,
    operands: parsed.positionals,
    passThrough: split === -1 ? null : argv.slice(split + 1),
    ctx,
    config: new ConfigLookup(ctx, named('config'), named('profile')),
    out: outputOf(spec),
    usageError: (message) => new GuardError('ERR_USAGE', message),
  };
}

function outputOf(spec: { readonly output: OutputStream }): NodeJS.WriteStream {
  return spec.output === 'stdout' ? process.stdout : process.stderr;
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
