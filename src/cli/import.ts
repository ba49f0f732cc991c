/**
 * `mcp-guard import [--from CLIENT|FILE] [--write] [-c FILE]`: reads a client's MCP config where
 * the client keeps it and prints the matching manifest servers as YAML on stdout; `--write` adds
 * them to the manifest instead (its comments and layout kept). Skipped entries (remote, disabled,
 * not representable) are listed on stderr with the reason. Secrets stay where they are: the
 * manifest refers to them by `${env:NAME}`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CLIENT_IDS, addServers, importServers, serversYaml } from '../adopt/index.js';
import type { ImportResult } from '../adopt/index.js';
import { writeFileAtomic } from '../atomic-file.js';
import { starterFor } from '../config/starter.js';
import { GuardError } from '../errors.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION } from './config-lookup.js';

const OPTIONS = {
  from: {
    type: 'string',
    value: 'CLIENT|FILE',
    help: `the client (${CLIENT_IDS.join(', ')}) or a config file to read (default: the first client whose config exists)`,
  },
  write: { type: 'boolean', help: 'add the servers to the manifest instead of printing them' },
  config: {
    ...CONFIG_OPTION,
    help: 'the manifest --write adds to (created when missing; default: the discovered one, else ./mcp-guard.yaml)',
  },
} as const;

export const command = defineCommand({
  name: 'import',
  summary: "print (or --write) manifest servers for a client's MCP servers",
  usage: ['import [--from CLIENT|FILE] [--write] [-c FILE]'],
  description: `Reads the client's MCP configuration where that client keeps it on this OS and
    prints each local (stdio) server as a manifest server, as YAML on stdout. With --write, adds
    them to the manifest instead; a server already in the manifest is left as it is.

    A secret in an entry's env (a value that looks like a token, or a name like *_TOKEN, *_KEY,
    *SECRET*, *PASSWORD*) is never copied: the manifest gets \${env:NAME} and the value stays
    in the client's config. The client's variables are kept as references, never expanded.
    Remote (url) and disabled entries are listed on stderr as skipped, with the reason.`,
  options: OPTIONS,
  output: 'stdout',
  run: importCommand,
});

/** Why: `import` and `install` say the same things about what they read. */
export function reportImport(name: string, result: ImportResult): void {
  const files = result.source.files.join(', ');
  process.stderr.write(
    `mcp-guard ${name}: read ${result.imported.length + result.skipped.length} entries from ${files}\n`,
  );
  for (const note of result.notes) process.stderr.write(`mcp-guard ${name}: note: ${note}\n`);
  for (const skip of result.skipped) {
    process.stderr.write(`mcp-guard ${name}: skipped '${skip.entryName}': ${skip.reason}\n`);
  }
}

function manifestTarget(call: CommandCall<typeof OPTIONS>): string {
  const given = call.values.config;
  if (given !== undefined) {
    const file = resolve(call.ctx.cwd, given);
    return existsSync(file) && !file.endsWith('.yaml') && !file.endsWith('.yml')
      ? join(file, 'mcp-guard.yaml')
      : file;
  }
  const found = call.config.findIfAny();
  return found ?? join(call.ctx.cwd, 'mcp-guard.yaml');
}

function importCommand(call: CommandCall<typeof OPTIONS>): number {
  const result = importServers(call.values.from, call.ctx);
  reportImport('import', result);
  if (call.values.write !== true) {
    call.out.write(serversYaml(result.servers));
    return 0;
  }
  const file = manifestTarget(call);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
  const addition = addServers(file, before ?? starterFor('default', dirname(file)), result.servers);
  for (const name of addition.kept) {
    process.stderr.write(`mcp-guard import: '${name}' is already in ${file}; left as it is\n`);
  }
  if (before === null || addition.added.length > 0) {
    try {
      writeFileAtomic(file, addition.text);
    } catch (err) {
      throw new GuardError('ERR_WRITE', `cannot write ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  process.stderr.write(
    `mcp-guard import: added ${addition.added.length} server(s) to ${file}` +
      (addition.added.length > 0 ? `: ${addition.added.join(', ')}` : '') +
      '\n',
  );
  return 0;
}
