/**
 * How every command finds its manifest (SPEC §2: `-c FILE`, `$MCP_GUARD_CONFIG`, the nearest
 * `mcp-guard.yaml`, the user's), applies `--profile`, and finds the servers named on its command
 * line. The skeleton builds one per call from the command's `-c` and `--profile` flags.
 */
import { findManifest, loadManifest, type ConfigContext } from '../config/load.js';
import { anchorPlacementProblems } from './anchor-placement.js';
import { readEnv } from '../config/context.js';
import type { ManifestTrace } from '../config/manifest.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { GuardError } from '../errors.js';

/** `-c, --config FILE`, as every command that reads a manifest declares it. */
export const CONFIG_OPTION = {
  type: 'string',
  short: 'c',
  value: 'FILE',
  help: 'the manifest (default: $MCP_GUARD_CONFIG, else the nearest mcp-guard.yaml, else ~/.config/mcp-guard/mcp-guard.yaml)',
} as const;

/** `--profile P`, for the commands that resolve a manifest's servers. */
export const PROFILE_OPTION = {
  type: 'string',
  value: 'P',
  help: "use profile P instead of the manifest's",
} as const;

export interface NamedServers {
  file: string;
  manifest: ResolvedManifest;
  /** The servers named, in order; null when none was (each command has its own default). */
  named: ServerConfig[] | null;
}

export class ConfigLookup {
  readonly #ctx: ConfigContext;
  readonly #explicit: string | undefined;
  readonly #profile: string | undefined;

  constructor(ctx: ConfigContext, explicit: string | undefined, profile: string | undefined) {
    this.#ctx = ctx;
    this.#explicit = explicit;
    this.#profile = profile;
  }

  /** Whether `-c` was given (commands that have no manifest mode refuse it there). */
  get explicit(): boolean {
    return this.#explicit !== undefined;
  }

  /** The manifest file, in SPEC §2's order; ERR_CONFIG_NOT_FOUND when there is none. */
  find(): string {
    return findManifest(this.#ctx, this.#explicit);
  }

  /**
   * Why: `status` and `logs` also work without a manifest. Null only when none was named (no
   * `-c`, no `$MCP_GUARD_CONFIG`) and discovery found none; a named one that is missing throws.
   */
  findIfAny(): string | null {
    try {
      return this.find();
    } catch (err) {
      const named =
        this.#explicit !== undefined || (readEnv(this.#ctx, 'MCP_GUARD_CONFIG') ?? '') !== '';
      if (!named && err instanceof GuardError && err.code === 'ERR_CONFIG_NOT_FOUND') return null;
      throw err;
    }
  }

  /**
   * The manifest resolved (with `--profile` when given); every problem at once, exit 2. With
   * `only`, a problem in another server's entry leaves that server out instead (SPEC 2). With
   * `trace`, the layers it was resolved from are handed over too (`check --explain`).
   */
  load(
    file: string = this.find(),
    only?: readonly string[],
    trace?: (trace: ManifestTrace) => void,
  ): ResolvedManifest {
    const manifest = loadManifest(file, this.#ctx, {
      ...(this.#profile === undefined ? {} : { profile: this.#profile }),
      ...(only === undefined ? {} : { servers: only }),
      ...(trace === undefined ? {} : { trace }),
    });
    const problems = anchorPlacementProblems(manifest);
    if (problems.length > 0) {
      const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
      throw new GuardError('ERR_CONFIG_INVALID', `${file}: ${count} in the configuration`, {
        problems,
      });
    }
    return manifest;
  }

  /** The manifest and the servers `names` name (own keys only: `constructor` is no server). */
  servers(names: readonly string[]): NamedServers {
    const file = this.find();
    const manifest = this.load(file, names.length === 0 ? undefined : names);
    const unknown = names.filter((name) => !Object.hasOwn(manifest.servers, name));
    if (unknown.length > 0) {
      const known = Object.keys(manifest.servers).join(', ') || '(none)';
      throw new GuardError(
        'ERR_SERVER_UNKNOWN',
        `no server ${unknown.map((n) => `'${n}'`).join(', ')} in ${file} (servers: ${known})`,
      );
    }
    const named = names.length === 0 ? null : names.map((name) => manifest.servers[name]!);
    return { file, manifest, named };
  }
}
