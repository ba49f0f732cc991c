/**
 * What `install` changes in one client file and the manifest, computed before anything is written
 * (so `--dry-run` shows exactly it): each stdio entry not yet launched through mcp-guard gets the
 * command `<launcher> run NAME -c MANIFEST [--env NAME]…`, everything else of the entry and the
 * file untouched; its server is added to the manifest unless the manifest already has it. The
 * entry's env stays in the client's file; the manifest refers to it by `${env:NAME}`.
 */
import { parseDocument } from 'yaml';
import type { ConfigContext } from '../config/context.js';
import type { ClientFile } from './client-file.js';
import { setCommand } from './edit-entry.js';
import { type ImportResult, importFile } from './import-servers.js';
import { type Launcher, parseWrapped, wrapCommand } from './launcher.js';
import { addServers } from './manifest-edit.js';
import { type ServerDraft, manifestName } from './to-manifest.js';

export interface EntryOutcome {
  entryName: string;
  outcome: 'wrapped' | 'already' | 'skipped' | 'restored' | 'left';
  detail: string;
}

/** A server an entry now launches as, with what the client puts in its environment. */
export interface WrappedServer {
  /** Its name in the manifest. */
  name: string;
  /** The entry's env, as the client gives it (values stay out of the manifest). */
  env: Record<string, string>;
  /** The names `run` passes on with `--env`. */
  envNames: string[];
}

export interface InstallPlan {
  clientText: string;
  manifestText: string;
  added: string[];
  outcomes: EntryOutcome[];
  notes: string[];
  wrapped: WrappedServer[];
}

export interface InstallInput {
  file: ClientFile;
  manifestFile: string;
  manifestText: string;
  launcher: Launcher;
  profile?: string;
  ctx: ConfigContext;
}

/** The manifest's servers as written (unresolved), by name. */
export function manifestServers(text: string): Record<string, Partial<ServerDraft>> {
  const data: unknown = parseDocument(text).toJS();
  const servers = (data as { servers?: unknown } | null)?.servers;
  return typeof servers === 'object' && servers !== null
    ? (servers as Record<string, Partial<ServerDraft>>)
    : {};
}

function sameServer(a: Partial<ServerDraft> | undefined, b: ServerDraft): boolean {
  return (
    a !== undefined &&
    a.command === b.command &&
    JSON.stringify(a.args ?? []) === JSON.stringify(b.args) &&
    a.cwd === b.cwd
  );
}

/** Why: `install`'s whole change to one client file, as text, before anything is written. */
export function planInstall(input: InstallInput): InstallPlan {
  const { file } = input;
  const outcomes: EntryOutcome[] = [];
  const fresh = file.entries.filter((entry) => {
    if (entry.command === undefined) return true;
    const wrapped = parseWrapped(entry.command, entry.args ?? []);
    if (wrapped === null) return true;
    outcomes.push({
      entryName: entry.name,
      outcome: 'already',
      detail: 'already launches through mcp-guard',
    });
    return false;
  });
  const found: Pick<ImportResult, 'imported' | 'skipped' | 'notes'> = {
    imported: [],
    skipped: [],
    notes: [],
  };
  importFile({ ...file, entries: fresh }, input.ctx, new Set(), found);
  for (const skip of found.skipped)
    outcomes.push({ entryName: skip.entryName, outcome: 'skipped', detail: skip.reason });

  const existing = manifestServers(input.manifestText);
  const taken = new Set(Object.keys(existing));
  const toAdd: Record<string, ServerDraft> = {};
  const wrappedServers: WrappedServer[] = [];
  let clientText = file.text;
  for (const entry of found.imported) {
    let name = entry.name;
    if (!sameServer(existing[name], entry.server)) {
      if (Object.hasOwn(existing, name) || Object.hasOwn(toAdd, name))
        name = manifestName(name, taken);
      toAdd[name] = entry.server;
      taken.add(name);
    }
    const wrapped = wrapCommand(input.launcher, name, input.manifestFile, {
      ...(input.profile === undefined ? {} : { profile: input.profile }),
      envNames: entry.envNames,
    });
    clientText = setCommand(clientText, entry.entry.at, wrapped.command, wrapped.args);
    wrappedServers.push({ name, env: entry.entry.env, envNames: entry.envNames });
    outcomes.push({
      entryName: entry.entryName,
      outcome: 'wrapped',
      detail: Object.hasOwn(toAdd, name)
        ? `as server '${name}' (added to the manifest)`
        : `as server '${name}' (already in the manifest)`,
    });
  }
  const addition = addServers(input.manifestFile, input.manifestText, toAdd);
  return {
    clientText,
    manifestText: addition.text,
    added: addition.added,
    outcomes,
    notes: found.notes,
    wrapped: wrappedServers,
  };
}
