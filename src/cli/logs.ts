/**
 * `mcp-guard logs`: pretty-prints the audit log (or follows it), filtered by server or to
 * denials, or verifies its hash chains. Reads the file the manifest's `audit.file` names, or the
 * one `--file` names. Output goes to stdout: this command is not on the relay path.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatDenialSummary, formatRecord } from '../audit/format.js';
import { AuditFileTail, followAuditFile } from '../audit/tail.js';
import { escapeForTerminal, escapeJsonText } from '../audit/terminal-safe.js';
import { formatProblem, verifyAuditLog } from '../audit/verify.js';
import { userStateDir } from '../config/context.js';
import { GuardError } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION } from './config-lookup.js';

const OPTIONS = {
  config: { ...CONFIG_OPTION, help: 'the manifest whose audit log to read' },
  file: { type: 'string', value: 'PATH', help: 'read this audit file directly' },
  follow: {
    type: 'boolean',
    short: 'f',
    help: 'keep printing records as they are appended (Ctrl-C stops)',
  },
  server: {
    type: 'string',
    multiple: true,
    value: 'S',
    help: 'only records of server S (repeatable)',
  },
  denied: {
    type: 'boolean',
    help: 'only policy.deny records (with the observe profile: what would be denied), then a summary by rule on stderr',
  },
  verify: {
    type: 'boolean',
    help: "check every session's hash chain: exit 0 if intact, 1 if not",
  },
  json: {
    type: 'boolean',
    help: 'print matching records as JSON Lines (with --verify: the report as JSON)',
  },
} as const;

export const command = defineCommand({
  name: 'logs',
  summary: 'pretty-print the audit log; --verify checks its hash chain',
  usage: ['logs [-c FILE | --file PATH] [-f] [--server S]... [--denied] [--verify] [--json]'],
  description: `Pretty-prints the audit log named by the manifest's audit.file (without a
    manifest: $XDG_STATE_HOME/mcp-guard/audit.jsonl, i.e. ~/.local/state/mcp-guard/audit.jsonl).`,
  options: OPTIONS,
  output: 'stdout',
  run: logs,
});

interface LogsOptions {
  follow: boolean;
  servers: string[];
  denied: boolean;
  json: boolean;
  out: NodeJS.WriteStream;
}

async function logs(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const { values } = call;
  if (values.config !== undefined && values.file !== undefined) {
    throw call.usageError('use -c or --file, not both');
  }
  if (values.verify === true && values.follow === true) {
    throw call.usageError('--verify cannot be combined with -f');
  }
  const file = locateAuditFile(call);
  if (file === '-') {
    throw new GuardError(
      'ERR_AUDIT',
      'the manifest sends the audit log to stderr (audit.file: "-"); there is no file to read',
    );
  }
  const json = values.json === true;
  if (values.verify === true) return verify(file, json, call.out);
  return show(file, {
    follow: values.follow === true,
    servers: values.server ?? [],
    denied: values.denied === true,
    json,
    out: call.out,
  });
}

/** `--file`, else the manifest's audit.file, else (no manifest anywhere) the user state folder. */
function locateAuditFile(call: CommandCall<typeof OPTIONS>): string {
  if (call.values.file !== undefined) return path.resolve(call.ctx.cwd, call.values.file);
  const manifest = call.config.findIfAny();
  if (manifest === null) return path.join(userStateDir(call.ctx), 'audit.jsonl');
  return call.config.load(manifest).audit.file;
}

async function verify(file: string, json: boolean, out: NodeJS.WriteStream): Promise<number> {
  const result = verifyAuditLog(await readAuditFile(file));
  if (json) {
    out.write(`${escapeJsonText(JSON.stringify({ file, ...result }))}\n`);
    return result.ok ? 0 : 1;
  }
  const summary = `${escapeForTerminal(file)}: ${result.records} record(s) in ${result.sessions} session(s)`;
  if (result.ok) {
    out.write(`${summary}; every chain is intact\n`);
    return 0;
  }
  const count = result.problems.length;
  out.write(
    `${summary}; the log was altered or damaged (${count} problem${count === 1 ? '' : 's'}):\n` +
      result.problems.map((problem) => `  ${formatProblem(problem)}\n`).join(''),
  );
  return 1;
}

async function show(file: string, options: LogsOptions): Promise<number> {
  const color = options.out.isTTY && (process.env.NO_COLOR ?? '') === '';
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  let failure: Error | undefined;
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') failure ??= err;
    stop();
  };
  // `--denied` ends with a summary (not when following, or printing JSON for tools).
  const summarise = options.denied && !options.follow && !options.json;
  const shown: Record<string, unknown>[] = [];
  const print = (lines: Buffer[], firstLine: number): void => {
    lines.forEach((bytes, i) => {
      const record = parseRecord(bytes);
      if (record === undefined) {
        process.stderr.write(
          `mcp-guard: line ${firstLine + i} of ${escapeForTerminal(file)} is not an audit record (skipped)\n`,
        );
      } else if (!controller.signal.aborted && matches(record, options)) {
        if (summarise) {
          const { event, rule, tool, method, direction, enforced } = record;
          shown.push({ event, rule, tool, method, direction, enforced });
        }
        options.out.write(
          options.json
            ? `${escapeJsonText(bytes.toString('utf8'))}\n`
            : `${formatRecord(record, { color })}\n`,
        );
      }
    });
  };
  const tail = new AuditFileTail(file, print, () =>
    process.stderr.write(
      `mcp-guard: ${escapeForTerminal(file)} was truncated or replaced; reading it from the start\n`,
    ),
  );
  options.out.on('error', onStdoutError);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (!options.follow) {
      await assertExists(file);
      await tail.read();
    } else {
      if (!(await exists(file)))
        process.stderr.write(`mcp-guard: waiting for ${escapeForTerminal(file)} to appear\n`);
      await followAuditFile(tail, controller.signal, (err) => {
        failure ??=
          err instanceof Error ? err : new Error('reading the audit log failed', { cause: err });
        stop();
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    options.out.off('error', onStdoutError);
  }
  if (failure !== undefined) throw failure;
  const summary = formatDenialSummary(shown);
  if (summary.length > 0) process.stderr.write(`\n${summary.join('\n')}\n`);
  return 0;
}

/** The file's bytes; a missing file is a runtime failure with a plain explanation. */
async function readAuditFile(file: string): Promise<Buffer> {
  await assertExists(file);
  return readFile(file);
}

async function assertExists(file: string): Promise<void> {
  if (!(await exists(file))) {
    throw new GuardError(
      'ERR_AUDIT',
      `no audit log at ${escapeForTerminal(file)} (nothing has been recorded there yet)`,
    );
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

function parseRecord(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (typeof record.event === 'string') return record;
    }
  } catch {
    // Junk: reported by the caller.
  }
  return undefined;
}

function matches(record: Record<string, unknown>, options: LogsOptions): boolean {
  if (options.denied && record.event !== 'policy.deny') return false;
  return options.servers.length === 0 || options.servers.includes(String(record.server));
}
