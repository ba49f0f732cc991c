/**
 * The path policy as a pipeline check (SPEC 6.5): client→server, every path argument of
 * `tools/call` and `prompts/get`, and the URI of `resources/read` and `resources/subscribe` when
 * it is a `file:` URI or a path, must resolve to allowed places. One bad path refuses the whole
 * request (rule `paths`), naming the argument and where it resolved.
 *
 * Reading a resource is a read-only use (read-only folders serve it); a prompt is not (its
 * arguments may be used any way the server likes); a tool is when the server annotates it
 * `readOnlyHint: true`.
 */
import { homedir } from 'node:os';
import { serverEnv } from '../../config/server-env.js';
import type { ServerConfig } from '../../config/types.js';
import { isObject, type RpcMessage } from '../../protocol/jsonrpc.js';
import type { PolicyCheck } from '../pipeline.js';
import { escapeControl } from '../output/strip-control.js';
import { PASS, type Verdict } from '../verdict.js';
import { findPathArguments, type PathArgument } from './find-path-arguments.js';
import { flavorOf } from './flavor.js';
import { isPathCandidate } from './path-candidate.js';
import { nodePathFs, withSteadyFolders, type PathFs } from './path-fs.js';
import { readingsOf } from './path-readings.js';
import { createPathRules, type PathPolicy } from './path-rules.js';
import { resolvePathValue, type ResolveEnvironment } from './resolve-path.js';

export interface PathsCheckSettings {
  paths: PathPolicy;
  /** `tools.pathArgs`: per tool, more property names whose strings are paths. */
  pathArgs: Readonly<Record<string, readonly string[]>>;
  /** The server's working directory (absolute). */
  cwd: string;
  /** What the server reads `~` as. */
  home: string;
  platform: NodeJS.Platform;
  fs: PathFs;
  ignoresCase?: (realDir: string) => boolean;
}

const NO_NAMES: ReadonlySet<string> = new Set();
/** How much of a refused value a reason quotes. */
const QUOTE_LIMIT = 160;

export function createPathsCheck(settings: PathsCheckSettings): PolicyCheck {
  const flavor = flavorOf(settings.platform);
  const rules = createPathRules(settings.paths, {
    platform: settings.platform,
    fs: settings.fs,
    ...(settings.ignoresCase ? { ignoresCase: settings.ignoresCase } : {}),
  });
  const env: ResolveEnvironment = {
    flavor,
    cwd: settings.cwd,
    home: settings.home,
    fs: settings.fs,
  };
  const extraNames = new Map<string, ReadonlySet<string>>(
    Object.entries(settings.pathArgs).map(([tool, names]) => [tool, new Set(names)]),
  );

  const judge = (found: readonly PathArgument[], readOnlyUse: boolean, label: string): Verdict => {
    for (const argument of found) {
      for (const value of readingsOf(argument.value)) {
        const resolved = resolvePathValue(value, env);
        // The reason is spelled out only for a refusal: allowed paths cost no pointer or quote.
        const subject = () => `${label} ${escapeControl(argument.pointer())} ${quote(value)}`;
        if (!resolved.ok) return refuse(`${subject()} ${resolved.reason}`, argument);
        const decision = rules.decide(resolved.forms, readOnlyUse);
        if (!decision.allowed) {
          const shown = escapeControl(decision.path);
          return refuse(`${subject()} resolves to ${shown}, ${decision.why}`, argument, shown);
        }
      }
    }
    return PASS;
  };

  return {
    name: 'paths',
    direction: 'client-to-server',
    check(message: RpcMessage, context): Verdict {
      if (context.direction !== 'client-to-server' || message.kind !== 'request') return PASS;
      const params = message.params;
      if (!isObject(params)) return PASS;
      switch (message.method) {
        case 'tools/call': {
          const tool = typeof params.name === 'string' ? params.name : '';
          const names = extraNames.get(tool) ?? NO_NAMES;
          const found = findPathArguments(params.arguments, names, flavor);
          if (found.length === 0) return PASS;
          return judge(found, context.catalog.isReadOnlyTool(tool), 'argument');
        }
        case 'prompts/get': {
          const found = findPathArguments(params.arguments, NO_NAMES, flavor);
          return found.length === 0 ? PASS : judge(found, false, 'argument');
        }
        case 'resources/read':
        case 'resources/subscribe': {
          const uri = params.uri;
          if (typeof uri !== 'string' || !isPathCandidate(uri, flavor)) return PASS;
          return judge([{ value: uri, pointer: () => 'uri' }], true, 'resource');
        }
        default:
          return PASS;
      }
    },
  };
}

/**
 * The path check for one server, or none when its `paths` ask for nothing (no roots, no
 * read-only folders, no deny globs: what the built-in defaults give).
 */
export function createServerPathChecks(
  server: ServerConfig,
  options: Partial<Pick<PathsCheckSettings, 'platform' | 'fs' | 'home' | 'ignoresCase'>> = {},
): PolicyCheck[] {
  const { roots, readOnly, deny } = server.paths;
  if (roots.length === 0 && readOnly.length === 0 && deny.length === 0) return [];
  const platform = options.platform ?? process.platform;
  return [
    createPathsCheck({
      paths: server.paths,
      pathArgs: server.tools.pathArgs,
      cwd: server.cwd,
      home: options.home ?? serverHome(server, platform),
      platform,
      fs: withSteadyFolders(options.fs ?? nodePathFs, [server.cwd]),
      ...(options.ignoresCase ? { ignoresCase: options.ignoresCase } : {}),
    }),
  ];
}

/** Why: `~` is the server's home — the HOME (USERPROFILE) it is launched with, else the user's. */
function serverHome(server: ServerConfig, platform: NodeJS.Platform): string {
  const env = serverEnv(server, process.env, platform);
  return (platform === 'win32' ? env.USERPROFILE : env.HOME) || homedir();
}

function refuse(reason: string, argument: PathArgument, path?: string): Verdict {
  return {
    action: 'deny',
    rule: 'paths',
    reason,
    data: { argument: escapeControl(argument.pointer()), ...(path === undefined ? {} : { path }) },
  };
}

/** The value as JSON, its invisible characters escaped: it comes from the client's arguments. */
function quote(value: string): string {
  const shown = value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value;
  return escapeControl(JSON.stringify(shown));
}
