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
import { ANCHOR_EVERY_MS } from '../audit/anchor.js';
import { formatProblem, verifyAuditLog, type AuditVerifyResult } from '../audit/verify.js';
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
    help: "check every session's hash chain (and the anchor's seals): exit 0 if intact, 1 if not",
  },
  anchor: {
    type: 'string',
    value: 'PATH',
    help: "with --verify: check the log against this anchor (default: the manifest's audit.anchor)",
  },
  json: {
    type: 'boolean',
    help: 'print matching records as JSON Lines (with --verify: the report as JSON)',
  },
} as const;

export const command = defineCommand({
  name: 'logs',
  summary: 'pretty-print the audit log; --verify checks its hash chain',
  usage: [
    'logs [-c FILE | --file PATH] [-f] [--server S]... [--denied] [--json]',
    'logs [-c FILE | --file PATH] --verify [--anchor PATH] [--json]',
  ],
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
  if (values.anchor !== undefined && values.verify !== true) {
    throw call.usageError('--anchor goes with --verify');
  }
  const { file, anchor } = locateAuditFile(call);
  if (file === '-') {
    throw new GuardError(
      'ERR_AUDIT',
      'the manifest sends the audit log to stderr (audit.file: "-"); there is no file to read',
    );
  }
  const json = values.json === true;
  if (values.verify === true) return verify(file, anchor, json, call.out);
  return show(file, {
    follow: values.follow === true,
    servers: values.server ?? [],
    denied: values.denied === true,
    json,
    out: call.out,
  });
}

/**
 * `--file`, else the manifest's audit.file, else (no manifest anywhere) the user state folder;
 * the anchor is `--anchor`, else the manifest's audit.anchor for the manifest's own log.
 */
function locateAuditFile(call: CommandCall<typeof OPTIONS>): {
  file: string;
  anchor: string | undefined;
} {
  const given =
    call.values.anchor === undefined ? undefined : path.resolve(call.ctx.cwd, call.values.anchor);
  if (call.values.file !== undefined) {
    return { file: path.resolve(call.ctx.cwd, call.values.file), anchor: given };
  }
  const manifest = call.config.findIfAny();
  if (manifest === null)
    return { file: path.join(userStateDir(call.ctx), 'audit.jsonl'), anchor: given };
  // Only the shared keys matter here: a problem in a server's entry does not hide the log.
  const { audit } = call.config.load(manifest, []);
  return { file: audit.file, anchor: given ?? audit.anchor };
}

async function verify(
  file: string,
  anchorFile: string | undefined,
  json: boolean,
  out: NodeJS.WriteStream,
): Promise<number> {
  const bytes = await readAuditFile(file);
  const anchor =
    anchorFile === undefined
      ? undefined
      : { path: anchorFile, text: await readIfExists(anchorFile), file };
  const result = verifyAuditLog(bytes, anchor);
  if (json) {
    out.write(`${escapeJsonText(JSON.stringify({ file, ...result }))}\n`);
    return result.ok ? 0 : 1;
  }
  const summary = `${escapeForTerminal(file)}: ${result.records} record(s) in ${result.sessions} session(s)`;
  const count = result.problems.length;
  const head = result.ok
    ? `${summary}; every chain is intact\n`
    : `${summary}; the log was altered or damaged (${count} problem${count === 1 ? '' : 's'}):\n` +
      result.problems.map((problem) => `  ${formatProblem(problem)}\n`).join('');
  out.write(head + describeEnds(result) + describeScope(result));
  return result.ok ? 0 : 1;
}

/** Sessions that did not close their log, and what the anchor can say about why. */
function describeEnds(result: AuditVerifyResult): string {
  return result.unended
    .map((end) => {
      const pid = end.pid === undefined ? '' : ` (pid ${end.pid})`;
      const why =
        end.cause === 'crash'
          ? 'it crashed or was killed, or is still running — not tampering: nothing the anchor sealed is missing'
          : 'it crashed or was killed, is still running, or its last records were deleted — only an anchor can tell which';
      return escapeForTerminal(
        `  session ${end.session}${pid} ends at line ${end.line} (seq ${end.seq}) without guard.stop: ${why}\n`,
      );
    })
    .join('');
}

/** What was proven, in plain words (docs/audit.md, "What verify proves"). */
function describeScope(result: AuditVerifyResult): string {
  const chain =
    'The chains prove that no record was edited, inserted, reordered or removed between two others.';
  if (result.anchor === undefined) {
    return (
      `${chain} Without an anchor they cannot show records removed from the end of a session, a whole\n` +
      'session removed, an emptied file, or a session rewritten and re-hashed (set audit.anchor).\n'
    );
  }
  const { missing, sessions } = result.anchor;
  const anchorPath = escapeForTerminal(result.anchor.path);
  const seals = missing
    ? `The anchor ${anchorPath} is missing`
    : `Checked against the anchor ${anchorPath} (${sessions} sealed session${sessions === 1 ? '' : 's'})`;
  return (
    `${chain} ${seals}: a session cut short, removed, emptied or rewritten before its last seal is\n` +
    `caught; records written after it (at most ${ANCHOR_EVERY_MS / 1000} s of a session that did not close) are not.\n`
  );
}

async function readIfExists(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
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
