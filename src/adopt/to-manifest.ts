/**
 * A client entry as a manifest server. The client's own variables are kept as references or
 * mapped, never expanded: `${env:X}`, `${userHome}` and `${workspaceFolder}` mean the same in a
 * manifest; an environment value that is a secret, or that the client fills in itself
 * (`${input:…}`, any other variable), becomes `${env:NAME}` — the client still puts the value in
 * the server's environment under that name, and `install` passes the name through. Clients that
 * have no variables (Cline, Claude Desktop) have their literal `${` escaped as `$${`. Pure.
 */
import type { ClientEntry } from './client-file.js';
import { isSecretName, looksLikeSecret } from './secrets.js';

/** A server as the manifest gets it (plain data, ready for YAML). */
export interface ServerDraft {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Directories named in args: the server was given them, so they are its roots. */
  paths?: { roots: string[] };
}

export type Conversion =
  { ok: true; server: ServerDraft; envNames: string[] } | { ok: false; reason: string };

/** Variables that mean the same in the manifest as in VS Code, Cursor and Windsurf. */
const SHARED = /^(?:env:[A-Za-z_][A-Za-z0-9_]*|userHome|workspaceFolder)$/;

/** Why: one string of command, args or cwd in manifest syntax, or the reason it cannot be. */
function convertString(text: string, hasVariables: boolean): string | { reason: string } {
  if (looksLikeSecret(text)) {
    return {
      reason:
        'a secret in its command or arguments (move it into the entry\'s "env": the manifest refers to env values by name)',
    };
  }
  if (!hasVariables) return text.replaceAll('${', () => '$${');
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    if (!SHARED.test(match[1]!)) {
      return {
        reason: `the client fills in \${${match[1]}} in its command, arguments or cwd, which mcp-guard cannot (only in "env")`,
      };
    }
  }
  return text;
}

/** Why: the manifest form of one entry; `envNames` is what the client puts in its environment. */
export function convertEntry(
  entry: ClientEntry,
  hasVariables: boolean,
  envFileNames: readonly string[] = [],
  isDirectory: (path: string) => boolean = () => false,
): Conversion {
  const strings = [
    entry.command!,
    ...(entry.args ?? []),
    ...(entry.cwd === undefined ? [] : [entry.cwd]),
  ];
  const converted: string[] = [];
  for (const text of strings) {
    const result = convertString(text, hasVariables);
    if (typeof result !== 'string') return { ok: false, reason: result.reason };
    converted.push(result);
  }
  const [command, ...rest] = converted;
  const args = entry.cwd === undefined ? rest : rest.slice(0, -1);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.env)) {
    const byReference = isSecretName(name) || looksLikeSecret(value) || value.includes('${');
    env[name] = byReference ? `\${env:${name}}` : value;
  }
  for (const name of envFileNames) env[name] ??= `\${env:${name}}`;
  const envNames = Object.keys(env);
  const roots = (entry.args ?? []).filter(
    (arg, i) => /^(?:\/|[A-Za-z]:[\\/])/.test(arg) && args[i] === arg && isDirectory(arg),
  );
  return {
    ok: true,
    server: {
      command: command!,
      args,
      ...(entry.cwd === undefined ? {} : { cwd: rest.at(-1)! }),
      ...(envNames.length === 0 ? {} : { env }),
      ...(roots.length === 0 ? {} : { paths: { roots } }),
    },
    envNames,
  };
}

/** Why: a manifest server name (`[A-Za-z0-9_][A-Za-z0-9_.-]*`) for an entry's key, unique. */
export function manifestName(entryName: string, taken: ReadonlySet<string>): string {
  const last = entryName.includes('/')
    ? (entryName.split('/').findLast((p) => p !== '') ?? '')
    : entryName;
  let base = last.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '');
  if (base === '') base = 'server';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** Why: NAME=value lines of an env file (VS Code's and Cursor's `envFile`); names only. */
export function envFileNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (match !== null && !names.includes(match[1]!)) names.push(match[1]!);
  }
  return names;
}
