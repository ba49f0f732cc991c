/**
 * `loadManifest`: read, validate and resolve `mcp-guard.yaml` (SPEC §3). Every problem — YAML
 * syntax, schema, profiles, variables, cross-key checks — is collected and thrown at once.
 */
import type { ConfigProblem } from '../errors.js';
import { GuardError } from '../errors.js';
import { type ConfigContext, pathsFor, platformOf, readEnv, userCacheDir } from './context.js';
import { expandTilde, type LayerInput, normalizeLayer, type PartialServer } from './layer.js';
import { DEFAULT_PROFILE, loadProfileChain, profileAuditBodies } from './profiles.js';
import { setOwn } from '../own-key.js';
import { resolveServer } from './resolve.js';
import type { ResolvedManifest, ServerConfig } from './types.js';
import { validateSource } from './validate.js';
import { type VariableScope, expandVariables } from './variables.js';
import { readYamlSource, type YamlSource } from './yaml-source.js';

/** Where the audit log goes when the manifest does not say (relative to the manifest's folder). */
export const DEFAULT_AUDIT_FILE = '.mcp-guard/audit.jsonl';

/** Why: the variables' values for one manifest (or ad-hoc run). */
export function variableScope(workspaceFolder: string, ctx: ConfigContext): VariableScope {
  return { workspaceFolder, userHome: ctx.homeDir, env: (name) => readEnv(ctx, name) };
}

/** Why: several files may be involved; list problems per file, each file in reading order. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const files = [...new Set(problems.map((p) => p.file))];
  return [...problems].sort(
    (a, b) =>
      files.indexOf(a.file) - files.indexOf(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0),
  );
}

/** Why: one error carrying every problem, which cli/ prints as `file:line:col: key: message`. */
export function invalid(file: string, problems: readonly ConfigProblem[]): GuardError {
  // The schema and the resolver may both catch one bad value (`5 sec`); say it once.
  const unique = [
    ...new Map(
      problems.map((p) => [`${p.file}:${p.line}:${p.col}:${p.key}:${p.message}`, p]),
    ).values(),
  ];
  const count = unique.length === 1 ? '1 problem' : `${unique.length} problems`;
  return new GuardError('ERR_CONFIG_INVALID', `${file}: ${count} in the configuration`, {
    problems: sortProblems(unique),
  });
}

/**
 * Why: which server a problem of the manifest belongs to — the longest server name whose entry
 * holds its key (names may contain dots: `a` and `a.b`) — or undefined for the shared keys.
 */
export function problemServer(
  problem: ConfigProblem,
  file: string,
  serverNames: readonly string[],
): string | undefined {
  if (problem.file !== file || problem.key === undefined) return undefined;
  let found: string | undefined;
  for (const name of serverNames) {
    const entry = `servers.${name}`;
    const rest = problem.key.slice(entry.length);
    const inside = problem.key.startsWith(entry) && /^($|[.[])/.test(rest);
    if (inside && (found === undefined || name.length > found.length)) found = name;
  }
  return found;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** What `check --explain` needs to say which layer set each value; the layers base first. */
export interface ManifestTrace {
  source: YamlSource;
  /** The profile chain's layers, base first (built-in profiles carry no positions). */
  profileLayers: readonly LayerInput[];
  /** Per server: every layer over the built-in defaults, as written and as normalised. */
  servers: Record<string, { inputs: LayerInput[]; layers: PartialServer[] }>;
}

/** How much of the manifest a command needs. */
export interface LoadOptions {
  profile?: string;
  /**
   * The servers the command works on (`run <server>`): a problem in another server's entry (an
   * unset `${env:…}`, a typo) leaves that server out of the result instead of failing the load
   * (SPEC 2). Absent: every server must be valid (`check`, `up` of all).
   */
  servers?: readonly string[];
  /** Hands over the layers each value came from (`check --explain`). */
  trace?: (trace: ManifestTrace) => void;
}

/** Why: `mcp-guard check`, `run` and `up` all start from the same resolved configuration. */
export function loadManifest(
  file: string,
  ctx: ConfigContext,
  options: LoadOptions = {},
): ResolvedManifest {
  const path = pathsFor(ctx);
  const absolute = path.resolve(ctx.cwd, file);
  const read = readYamlSource(absolute, pathsFor(ctx).join(userCacheDir(ctx), 'parsed'));
  if (read.source === undefined) throw invalid(absolute, read.problems);
  const source: YamlSource = read.source;
  const problems: ConfigProblem[] = validateSource(source, 'manifest');
  const dir = path.dirname(absolute);
  const scope = variableScope(dir, ctx);
  const data = record(source.data);

  const given =
    options.profile ?? (typeof data.profile === 'string' ? data.profile : DEFAULT_PROFILE);
  const chain = loadProfileChain(
    given,
    options.profile !== undefined
      ? { baseDir: ctx.cwd, manifestDir: dir, key: '--profile' }
      : {
          baseDir: dir,
          manifestDir: dir,
          key: 'profile',
          where: () => source.locate(['profile'], 'value'),
        },
    ctx,
  );
  problems.push(...chain.problems);
  const normalize = (layer: LayerInput): PartialServer => {
    const result = normalizeLayer(layer, scope);
    problems.push(...result.problems);
    return result.server;
  };
  const sharedInputs: LayerInput[] = [
    ...chain.layers,
    {
      data: record(data.defaults),
      file: absolute,
      prefix: ['defaults'],
      locate: source.locate,
      label: 'defaults',
    },
  ];
  const shared = sharedInputs.map(normalize);
  const ownInputs: Record<string, LayerInput> = {};
  const ownLayers = Object.entries(record(data.servers)).map(([name, raw]) => {
    const input: LayerInput = {
      data: record(raw),
      file: absolute,
      prefix: ['servers', name],
      locate: source.locate,
      label: `server ${name}`,
    };
    setOwn(ownInputs, name, input);
    return [name, normalize(input)] as const;
  });

  const audit = record(data.audit);
  let auditFile = typeof audit.file === 'string' ? audit.file : DEFAULT_AUDIT_FILE;
  const expanded = expandVariables(auditFile, scope);
  if (expanded.ok) auditFile = expanded.value;
  else
    for (const message of expanded.problems)
      problems.push({ ...source.locate(['audit', 'file'], 'value'), key: 'audit.file', message });
  let anchor: string | undefined;
  if (typeof audit.anchor === 'string') {
    const expandedAnchor = expandVariables(audit.anchor, scope);
    if (expandedAnchor.ok)
      anchor = path.resolve(dir, expandTilde(expandedAnchor.value, ctx.homeDir));
    else
      for (const message of expandedAnchor.problems)
        problems.push({
          ...source.locate(['audit', 'anchor'], 'value'),
          key: 'audit.anchor',
          message,
        });
  }
  // With `servers`, another server's problems leave it out; the rest must all be valid.
  const names = ownLayers.map(([name]) => name);
  const wanted = options.servers === undefined ? undefined : new Set(options.servers);
  const broken = new Set<string>();
  const fatal = (list: readonly ConfigProblem[]): ConfigProblem[] =>
    list.filter((problem) => {
      const owner = problemServer(problem, absolute, names);
      if (wanted === undefined || owner === undefined || wanted.has(owner)) return true;
      broken.add(owner);
      return false;
    });
  if (fatal(problems).length > 0) throw invalid(absolute, fatal(problems));

  const base = { dir, platform: platformOf(ctx), path };
  const servers: Record<string, ServerConfig> = {};
  const resolveProblems: ConfigProblem[] = [];
  for (const [name, own] of ownLayers) {
    if (broken.has(name)) continue;
    const { command, args, ...settings } = own;
    const launch = { command: command ?? '', args: args ?? [] };
    const resolved = resolveServer(name, launch, [...shared, settings], base);
    for (const message of resolved.problems)
      resolveProblems.push({
        ...source.locate(['servers', name], 'key'),
        key: `servers.${name}`,
        message,
      });
    if (wanted !== undefined && !wanted.has(name) && resolved.problems.length > 0) continue;
    setOwn(servers, name, resolved.server);
  }
  if (fatal(resolveProblems).length > 0) throw invalid(absolute, fatal(resolveProblems));
  options.trace?.({
    source,
    profileLayers: chain.layers,
    servers: Object.fromEntries(
      ownLayers
        .filter(([name]) => Object.hasOwn(servers, name))
        .map(([name, own]) => [
          name,
          { inputs: [...sharedInputs, ownInputs[name]!], layers: [...shared, own] },
        ]),
    ),
  });
  return {
    file: absolute,
    dir,
    stateDir: path.join(dir, '.mcp-guard'),
    version: 1,
    profile: chain.resolvedName,
    ...(chain.files.length > 0 ? { profileFiles: chain.files } : {}),
    audit: {
      file: auditFile === '-' ? '-' : path.resolve(dir, expandTilde(auditFile, ctx.homeDir)),
      bodies:
        typeof audit.bodies === 'boolean' ? audit.bodies : (profileAuditBodies(chain) ?? false),
      ...(anchor === undefined ? {} : { anchor }),
    },
    servers,
  };
}
