/**
 * `mcp-guard uninstall --client C [--dry-run]`: puts back the original command and args of each
 * entry `install` wrapped (from the newest backup that has it, else from its manifest server),
 * leaving every other entry — including the user's edits since — as it is now.
 */
import { readFileSync } from 'node:fs';
import { type ClientFile, parseClientText, readClientFile } from '../adopt/client-file.js';
import { listBackups, writeClientFile } from '../adopt/client-write.js';
import { manifestServers } from '../adopt/install-plan.js';
import { planUninstall } from '../adopt/uninstall-plan.js';
import type { ClientLocation } from '../adopt/client-paths.js';
import { defineCommand, type CommandCall } from './command.js';
import {
  CLIENT_OPTION,
  DRY_RUN_OPTION,
  clientFilesOf,
  clientOf,
  printOutcomes,
  unifiedDiff,
} from './install.js';

const OPTIONS = { client: CLIENT_OPTION, 'dry-run': DRY_RUN_OPTION } as const;

export const command = defineCommand({
  name: 'uninstall',
  summary: 'put back the client entries install rewrote',
  usage: ['uninstall --client CLIENT [--dry-run]'],
  description: `Restores each entry that \`mcp-guard install\` rewrote to its original command
    and args (from the newest backup that has it, else from the manifest server it launches)
    and leaves everything else as it is now (entries added, edited or removed since are kept).
    A backup is written first. The manifest is not changed.`,
  options: OPTIONS,
  output: 'stdout',
  run: uninstall,
});

function readBackups(location: ClientLocation): ClientFile[] {
  const files: ClientFile[] = [];
  for (const path of listBackups(location.path)) {
    try {
      files.push(parseClientText(location, readFileSync(path, 'utf8')));
    } catch {
      // An unreadable backup is passed over; an older one may have the entry.
    }
  }
  return files;
}

function readManifest(path: string) {
  try {
    return manifestServers(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

async function uninstall(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const client = clientOf(call);
  const now = new Date();
  let changed = 0;
  for (const location of clientFilesOf(client, call)) {
    const file = readClientFile(location);
    if (file === null) continue;
    const plan = planUninstall({ file, backups: readBackups(location), manifest: readManifest });
    printOutcomes('uninstall', location.path, plan.outcomes);
    if (plan.clientText === file.text) continue;
    changed++;
    if (call.values['dry-run'] === true) {
      call.out.write(unifiedDiff(location.path, file.text, plan.clientText));
      continue;
    }
    const backup = await writeClientFile({
      location,
      before: file.text,
      after: plan.clientText,
      now,
    });
    process.stderr.write(`mcp-guard uninstall: rewrote ${location.path} (backup: ${backup})\n`);
  }
  if (call.values['dry-run'] === true)
    process.stderr.write('mcp-guard uninstall: --dry-run: nothing was written\n');
  else if (changed === 0) process.stderr.write('mcp-guard uninstall: no entry to restore\n');
  return 0;
}
