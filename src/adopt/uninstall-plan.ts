/**
 * What `uninstall` changes in one client file: each entry `install` wrapped gets back its original
 * command and args — the exact text from the newest backup that has the entry unwrapped, else
 * unwrapped from the manifest server it launches. Only those two values change, so entries the
 * user edited, added or removed since are kept as they are now; the env was never moved. Pure.
 */
import type { ClientEntry, ClientFile } from './client-file.js';
import { arrayFor, restoreCommand, valueText } from './edit-entry.js';
import type { EntryOutcome } from './install-plan.js';
import { parseWrapped } from './launcher.js';
import type { ServerDraft } from './to-manifest.js';

export interface UninstallInput {
  file: ClientFile;
  /** Earlier versions of the file (install's backups), newest first. */
  backups: readonly ClientFile[];
  /** The servers of a manifest as written, by name; null when it cannot be read. */
  manifest(path: string): Record<string, Partial<ServerDraft>> | null;
}

export interface UninstallPlan {
  clientText: string;
  outcomes: EntryOutcome[];
}

function original(entry: ClientEntry, backups: readonly ClientFile[]) {
  for (const backup of backups) {
    const old = backup.entries.find((e) => e.name === entry.name);
    if (old?.command === undefined || parseWrapped(old.command, old.args ?? []) !== null) continue;
    return {
      command: valueText(backup.text, [...old.at, 'command'])!,
      args: valueText(backup.text, [...old.at, 'args']),
    };
  }
  return undefined;
}

/** `$${` in a manifest is a literal `${` (Cline and Claude Desktop have no variables). */
function unescape(text: string, literal: boolean): string {
  return literal ? text.replaceAll('$${', '${') : text;
}

/** Why: `uninstall`'s whole change to one client file, as text. */
export function planUninstall(input: UninstallInput): UninstallPlan {
  const { file } = input;
  const literal = file.location.client === 'cline' || file.location.client === 'claude';
  const outcomes: EntryOutcome[] = [];
  let text = file.text;
  for (const entry of file.entries) {
    if (entry.command === undefined) continue;
    const wrapped = parseWrapped(entry.command, entry.args ?? []);
    if (wrapped === null) continue;
    const left = (detail: string) =>
      outcomes.push({ entryName: entry.name, outcome: 'left', detail });
    if (wrapped.server === null) {
      left('an ad-hoc `mcp-guard run -- …` written by hand; left as it is');
      continue;
    }
    const backup = original(entry, input.backups);
    if (backup !== undefined) {
      text = restoreCommand(text, entry.at, backup.command, backup.args);
      outcomes.push({ entryName: entry.name, outcome: 'restored', detail: 'from the backup' });
      continue;
    }
    const server =
      wrapped.manifest === undefined
        ? undefined
        : input.manifest(wrapped.manifest)?.[wrapped.server];
    if (server?.command === undefined) {
      left(
        `no backup has it and server '${wrapped.server}' is not in ${wrapped.manifest ?? 'its manifest'}`,
      );
      continue;
    }
    const args = (server.args ?? []).map((arg) => unescape(String(arg), literal));
    const argsText = arrayFor(text, [...entry.at, 'args'], args);
    text = restoreCommand(
      text,
      entry.at,
      JSON.stringify(unescape(server.command, literal)),
      argsText,
    );
    outcomes.push({
      entryName: entry.name,
      outcome: 'restored',
      detail: `from server '${wrapped.server}' of ${wrapped.manifest}`,
    });
  }
  return { clientText: text, outcomes };
}
