/**
 * `import`'s core, also used by `install` and `init --from`: which files of a client exist, and
 * each stdio entry in them as a manifest server, the others listed as skipped with the reason.
 * Reads files; writes nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type ConfigContext, pathsFor } from '../config/context.js';
import { GuardError } from '../errors.js';
import { type ClientEntry, type ClientFile, readClientFile } from './client-file.js';
import {
  CLIENT_IDS,
  type ClientId,
  type ClientLocation,
  clientLocations,
  isClientId,
} from './client-paths.js';
import { type ServerDraft, convertEntry, envFileNames, manifestName } from './to-manifest.js';

/** An entry that became a manifest server. */
export interface ImportedEntry {
  /** Its key in the client file. */
  entryName: string;
  /** Its name in the manifest (the key, made a valid server name). */
  name: string;
  file: string;
  server: ServerDraft;
  /** The environment names the client gives the server (`install` passes them with `--env`). */
  envNames: string[];
  entry: ClientEntry;
}

/** An entry that did not, and why. */
export interface SkippedEntry {
  entryName: string;
  file: string;
  reason: string;
}

export interface ImportResult {
  /** The manifest servers, by name, in file order. */
  servers: Record<string, ServerDraft>;
  imported: ImportedEntry[];
  skipped: SkippedEntry[];
  /** Which client and files were read. */
  source: { client: ClientId | 'file'; files: string[] };
  /** Things worth saying (a legacy file used, an env file not found). */
  notes: string[];
}

/** Why: the files of `client` that exist, in reading order (Cline: the legacy one only without the current). */
export function existingLocations(client: ClientId, ctx: ConfigContext): ClientLocation[] {
  const found = clientLocations(client, ctx).filter((l) => existsSync(l.path));
  const current = found.filter((l) => l.scope !== 'legacy');
  return current.length > 0 ? current : found;
}

/** Why: `--from FILE`: its shape is sniffed (VS Code's `servers`, else `mcpServers`). */
function fileLocation(file: string, ctx: ConfigContext): ClientLocation {
  const path = pathsFor(ctx).resolve(ctx.cwd, file);
  let vscode = false;
  try {
    const text = readFileSync(path, 'utf8');
    vscode = /"servers"\s*:/.test(text) && !/"mcpServers"\s*:/.test(text);
  } catch (err) {
    throw new GuardError('ERR_CONFIG_NOT_FOUND', `cannot read ${path}: ${(err as Error).message}`);
  }
  return {
    client: 'file',
    path,
    shape: vscode ? 'vscode' : 'mcpServers',
    jsonc: vscode,
    scope: 'user',
  };
}

/** Why: the locations `from` names (a client, a file, or by default the first client found). */
export function locationsFor(from: string | undefined, ctx: ConfigContext): ClientLocation[] {
  if (from !== undefined && !isClientId(from)) return [fileLocation(from, ctx)];
  const clients = from === undefined ? CLIENT_IDS : [from];
  for (const client of clients) {
    const found = existingLocations(client, ctx);
    if (found.length > 0) return found;
  }
  const looked = clients.flatMap((c) => clientLocations(c, ctx).map((l) => l.path));
  throw new GuardError(
    'ERR_CONFIG_NOT_FOUND',
    `no MCP client config found; looked at:\n  ${looked.join('\n  ')}`,
  );
}

/** The names an entry's `envFile` sets; a note when it cannot be read. */
function envFileOf(
  entry: ClientEntry,
  file: ClientFile,
  ctx: ConfigContext,
  notes: string[],
): string[] {
  if (entry.envFile === undefined) return [];
  const path = pathsFor(ctx);
  let target = entry.envFile;
  if (target.includes('${workspaceFolder}')) {
    if (file.location.scope !== 'project') {
      notes.push(
        `'${entry.name}': envFile ${target} names no folder outside a workspace; its variables are not passed`,
      );
      return [];
    }
    target = target.replaceAll(
      '${workspaceFolder}',
      path.dirname(path.dirname(file.location.path)),
    );
  }
  target = target.replaceAll('${userHome}', ctx.homeDir);
  try {
    return envFileNames(
      readFileSync(path.resolve(path.dirname(file.location.path), target), 'utf8'),
    );
  } catch {
    notes.push(
      `'${entry.name}': envFile ${entry.envFile} could not be read; its variables are not passed`,
    );
    return [];
  }
}

/** Why: one client file's entries as manifest servers (names unique against `taken`). */
export function importFile(
  file: ClientFile,
  ctx: ConfigContext,
  taken: Set<string>,
  result: Pick<ImportResult, 'imported' | 'skipped' | 'notes'>,
): void {
  const hasVariables = !(file.location.client === 'cline' || file.location.client === 'claude');
  for (const entry of file.entries) {
    const skip = (reason: string) =>
      result.skipped.push({ entryName: entry.name, file: file.location.path, reason });
    if (entry.url !== undefined) {
      skip(`a remote server (${entry.url}); mcp-guard guards local stdio servers`);
      continue;
    }
    if (entry.disabled) {
      skip('disabled in the client');
      continue;
    }
    const converted = convertEntry(
      entry,
      hasVariables,
      envFileOf(entry, file, ctx, result.notes),
      (path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true,
    );
    if (!converted.ok) {
      skip(converted.reason);
      continue;
    }
    const name = manifestName(entry.name, taken);
    taken.add(name);
    result.imported.push({
      entryName: entry.name,
      name,
      file: file.location.path,
      server: converted.server,
      envNames: converted.envNames,
      entry,
    });
  }
}

/**
 * Why: what `import`, `init --from` and `install` start from. `from` is a client name, a file, or
 * undefined (the first client whose config exists). A project file's entry wins over the user
 * file's entry of the same name, as the clients merge them.
 */
export function importServers(from: string | undefined, ctx: ConfigContext): ImportResult {
  const locations = locationsFor(from, ctx);
  const result: ImportResult = {
    servers: {},
    imported: [],
    skipped: [],
    source: { client: locations[0]!.client, files: locations.map((l) => l.path) },
    notes: [],
  };
  const seen = new Set<string>();
  const taken = new Set<string>();
  for (const location of locations) {
    if (location.scope === 'legacy') {
      result.notes.push(
        `read Cline's legacy settings file ${location.path} (the current one is absent)`,
      );
    }
    const file = readClientFile(location);
    if (file === null) continue;
    const shadowed = file.entries.filter((e) => seen.has(e.name));
    for (const entry of shadowed) {
      result.skipped.push({
        entryName: entry.name,
        file: location.path,
        reason: 'the project file defines it too',
      });
    }
    for (const entry of file.entries) seen.add(entry.name);
    importFile(
      { ...file, entries: file.entries.filter((e) => !shadowed.includes(e)) },
      ctx,
      taken,
      result,
    );
  }
  for (const entry of result.imported) result.servers[entry.name] = entry.server;
  return result;
}
