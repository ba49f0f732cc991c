/**
 * The command a wrapped client entry runs — `<launcher> run NAME -c MANIFEST [--profile P]
 * [--env NAME]…` — and the reverse: recognising an entry that already launches through
 * mcp-guard, so it is never wrapped twice and `uninstall` knows which manifest server it was.
 * Pure.
 */

/** How mcp-guard itself is started: an absolute node and script, or a command on the PATH. */
export interface Launcher {
  command: string;
  args: string[];
}

export interface WrapOptions {
  profile?: string;
  /** Names the client sets in the server's environment, passed through with `--env`. */
  envNames: readonly string[];
}

/** Why: the one shape `install` writes. */
export function wrapCommand(
  launcher: Launcher,
  name: string,
  manifest: string,
  options: WrapOptions,
): { command: string; args: string[] } {
  return {
    command: launcher.command,
    args: [
      ...launcher.args,
      'run',
      name,
      '-c',
      manifest,
      ...(options.profile === undefined ? [] : ['--profile', options.profile]),
      ...options.envNames.flatMap((env) => ['--env', env]),
    ],
  };
}

/** What a wrapped entry says: `null` server for a hand-written ad-hoc `run -- CMD`. */
export interface WrappedEntry {
  server: string | null;
  manifest?: string;
}

const GUARD_WORD =
  /(?:^|[\\/@])mcp-guard(?:@[^\\/]*)?(?:\.cmd|\.exe|\.js)?$|[\\/]dist[\\/]cli[\\/]main\.js$/;

/** Why: an entry that already launches through mcp-guard is left alone (no double wrapping). */
export function parseWrapped(command: string, args: readonly string[]): WrappedEntry | null {
  const words = [command, ...args];
  const run = words.indexOf('run');
  if (run < 1 || !words.slice(0, run).some((word) => GUARD_WORD.test(word))) return null;
  const rest = words.slice(run + 1);
  if (rest.includes('--') && (rest[0] === '--' || rest[0]?.startsWith('-') === true)) {
    return { server: null };
  }
  const server = rest[0];
  if (server === undefined || server.startsWith('-')) return { server: null };
  const flag = rest.findIndex((word) => word === '-c' || word === '--config');
  const manifest = flag === -1 ? undefined : rest[flag + 1];
  return { server, ...(manifest === undefined ? {} : { manifest }) };
}
