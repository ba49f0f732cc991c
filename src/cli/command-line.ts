/**
 * What the commands that work on a manifest's servers (`up`, `pin`, `prepare`) share: parsing
 * their flags with the usage error every command gives, and finding the manifest and the servers
 * named on the command line.
 */
import { homedir } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { findManifest, loadManifest } from '../config/load.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { GuardError } from '../errors.js';

/** The flags every manifest command takes: `-c FILE`, `--profile P`, `-h`. */
export const MANIFEST_FLAGS = {
  config: { type: 'string', short: 'c' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The parsed flags, or 'help' once `--help` has been answered (on stderr). */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  help: string,
): ReturnType<typeof parseArgs<T>> | 'help' {
  let parsed;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    throw new GuardError('ERR_USAGE', `${(err as Error).message}\n\n${help}`);
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    process.stderr.write(help);
    return 'help';
  }
  return parsed;
}

export interface NamedServers {
  file: string;
  manifest: ResolvedManifest;
  /** The servers named, in order; null when none was (each command has its own default). */
  named: ServerConfig[] | null;
}

/** The manifest (`-c`, else discovery; `--profile` applied) and the servers `names` name. */
export function loadNamedServers(
  flags: { config?: string | undefined; profile?: string | undefined },
  names: readonly string[],
): NamedServers {
  const ctx = { cwd: process.cwd(), env: process.env, homeDir: homedir() };
  const file = findManifest(ctx, flags.config);
  const manifest = loadManifest(
    file,
    ctx,
    flags.profile === undefined ? {} : { profile: flags.profile },
  );
  // Own keys only: `constructor` is no server, whatever Object.prototype says.
  const unknown = names.filter((name) => !Object.hasOwn(manifest.servers, name));
  if (unknown.length > 0) {
    throw new GuardError(
      'ERR_SERVER_UNKNOWN',
      `no server ${unknown.map((n) => `'${n}'`).join(', ')} in ${file}`,
    );
  }
  const named = names.length === 0 ? null : names.map((name) => manifest.servers[name]!);
  return { file, manifest, named };
}
