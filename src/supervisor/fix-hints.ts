/**
 * Failures that name their fix. A child's stderr is read for the two mistakes a new user makes
 * first, each of which no restart can cure: a package runner (npx, uvx) that finds its package
 * missing from the server's private cache under `network: deny`, and a folder named in the
 * arguments that the sandbox does not show (it is not among the server's roots). The hint becomes
 * the reason the server failed, saying what to do. Pure: the filesystem check is a parameter.
 */
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import type { ServerConfig } from '../config/types.js';
import { isWithin } from '../policy/paths/within.js';

/** What a hint needs to know about the server and how it was started. */
export interface HintContext {
  server: Pick<ServerConfig, 'name' | 'args' | 'cwd' | 'paths' | 'sandbox'>;
  /** An ad-hoc `run -- CMD` (flags, not a manifest, set its roots). */
  adHoc: boolean;
  /**
   * Whether a path is a folder on the host: a missing one is the user's typo, not the sandbox's,
   * and a file named in the arguments (the server's script) is shown to the server anyway.
   */
  isDirectory: (path: string) => boolean;
}

/**
 * What npm and uv print when an offline run (`npm_config_offline`, `UV_OFFLINE`, which the
 * private cache sets under `network: deny`) needs something the cache lacks.
 */
const OFFLINE_MISS = [
  /\bENOTCACHED\b/,
  /cache mode is 'only-if-cached'/,
  /[Nn]etwork connectivity is disabled, but the requested data wasn't found in the cache/,
];

/** Why: under `network: deny`, a package missing from the private cache fails every start alike. */
export function isOfflineCacheMiss(line: string): boolean {
  return OFFLINE_MISS.some((pattern) => pattern.test(line));
}

function offlineHint({ server, adHoc }: HintContext): string {
  const fix = adHoc
    ? 'start it once without --deny-network (its private cache is kept)'
    : `run \`mcp-guard prepare ${server.name}\` once (it fills the cache with the network allowed)`;
  return `its package is not in the server's private cache, and sandbox.network is deny, so it cannot be downloaded: ${fix}`;
}

/** Absolute paths among the arguments: `/x`, and the value of `--flag=/x`. */
function pathArguments(args: readonly string[]): string[] {
  const paths: string[] = [];
  for (const arg of args) {
    const value = /^--?[\w-]+=(.*)$/.exec(arg)?.[1] ?? arg;
    if (value.startsWith('/')) paths.push(posix.normalize(value).replace(/(.)\/$/, '$1'));
  }
  return paths;
}

function hiddenPathHint(line: string, context: HintContext): string | undefined {
  const { server, adHoc, isDirectory } = context;
  if (server.sandbox.mode === 'off') return undefined;
  const visible = [...server.paths.roots, ...server.paths.readOnly];
  for (const path of pathArguments(server.args)) {
    if (!line.includes(path) || !isDirectory(path)) continue;
    if (visible.some((folder) => isWithin(path, folder) || isWithin(folder, path))) continue;
    const fix = adHoc
      ? `add --allow ${path} (or --read-only ${path}) before '--'`
      : `add it to servers.${server.name}.paths.roots (or paths.readOnly) in the manifest`;
    return `'${path}' (in its arguments) is not among the server's roots, so its sandbox does not show it: ${fix}`;
  }
  return undefined;
}

/** Why: the fix for what this stderr line shows, when it shows a mistake restarts cannot cure. */
export function hintFor(line: string, context: HintContext): string | undefined {
  if (context.server.sandbox.network === 'deny' && isOfflineCacheMiss(line)) {
    return offlineHint(context);
  }
  return hiddenPathHint(line, context);
}

/** Whether a path is a folder on the host (HintContext.isDirectory, outside tests). */
export function isHostDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** Why: the first hint one child's stderr shows before it is ready; none once it is ready. */
export class HintWatch {
  readonly #context: HintContext;
  #hint: string | null = null;

  /** By default not ad hoc, and folders are looked up on the host. */
  constructor({
    server,
    adHoc = false,
    isDirectory = isHostDirectory,
  }: Pick<HintContext, 'server'> & Partial<HintContext>) {
    this.#context = { server, adHoc, isDirectory };
  }

  /** The hint found since the last clear(), if any. */
  get hint(): string | null {
    return this.#hint;
  }

  /** A line of the child's stderr; `watching`: it is the current child, and not yet ready. */
  line(text: string, watching: boolean): void {
    if (!watching || this.#hint !== null) return;
    this.#hint = hintFor(text, this.#context) ?? null;
  }

  /** A new child, or the child is ready: nothing found so far counts. */
  clear(): void {
    this.#hint = null;
  }
}
