/**
 * One layer of server settings (a profile file, `defaults`, or a server's own keys) brought to
 * resolved units: variables expanded, durations in ms, sizes in bytes, `~` expanded in paths.
 * Problems are reported at the layer's own file and position. Relative paths stay relative here;
 * resolve.ts makes them absolute once the layers are merged.
 */
import type { ConfigProblem, SourcePosition } from '../errors.js';
import type { ServerConfig } from './types.js';
import { setOwn } from '../own-key.js';
import { badDuration, badSize } from './messages.js';
import { BUILTIN_NAMES, isBuiltinName } from './redact-names.js';
import { MAX_TIMER_MS, parseDuration, parseSize } from './units.js';
import { type VariableScope, expandVariables } from './variables.js';
import { type Anchor, type Segment, formatKey } from './yaml-source.js';

/** A deep partial of a server's settings, as one layer contributes it. */
export type PartialServer = DeepPartial<Omit<ServerConfig, 'name'>>;

type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Why: layers come from files with positions, or from code (built-ins, ad-hoc flags) without. */
export interface LayerInput {
  data: unknown;
  /** The file the layer came from, for problems; absent for layers made in code. */
  file?: string;
  /** Where the layer's keys sit in its file: `['servers', 'files']`, `['defaults']`, or `[]`. */
  prefix: Segment[];
  locate?: (path: readonly Segment[], anchor: Anchor) => SourcePosition;
  /** Who the layer is, for `check --explain`: `profile strict`, `defaults`, `server files`. */
  label?: string;
}

const DURATIONS = new Set([
  'restart.window',
  'restart.backoff.initial',
  'restart.backoff.max',
  'health.interval',
  'health.timeout',
  'limits.callTimeout',
]);
const SIZES = new Set(['limits.maxMessageBytes', 'limits.maxMemory', 'output.maxResultBytes']);
const PATH_LISTS = new Set(['paths.roots', 'paths.readOnly', 'paths.deny']);
/** Keys that are not server settings: profile metadata. */
const METADATA = new Set(['extends', 'description', 'audit']);

/** Why: `~/x` in a path setting means the home folder, as it does in a shell. */
export function expandTilde(value: string, home: string): string {
  if (value === '~') return home;
  return value.startsWith('~/') || value.startsWith('~\\') ? home + value.slice(1) : value;
}

/** Why: one pass over a layer does every per-value step, so each problem keeps its position. */
export function normalizeLayer(
  layer: LayerInput,
  scope: VariableScope,
): { server: PartialServer; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const report = (path: Segment[], message: string, anchor: Anchor = 'value'): void => {
    const full = [...layer.prefix, ...path];
    const where =
      layer.locate?.(full, anchor) ?? (layer.file === undefined ? {} : { file: layer.file });
    problems.push({ ...where, key: formatKey(full), message });
  };

  const visit = (value: unknown, path: Segment[]): unknown => {
    const dotted = path.filter((s) => typeof s === 'string').join('.');
    if (typeof value === 'string') {
      const expanded = expandVariables(value, scope);
      if (!expanded.ok) {
        for (const message of expanded.problems) report(path, message);
        return value;
      }
      return convert(expanded.value, path, dotted);
    }
    if (typeof value === 'number' || typeof value === 'boolean')
      return convert(value, path, dotted);
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, i]));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (path.length === 0 && METADATA.has(key)) continue;
        setOwn(out, key, visit(item, [...path, key]));
      }
      return out;
    }
    return value;
  };

  const convert = (value: string | number | boolean, path: Segment[], dotted: string): unknown => {
    if (DURATIONS.has(dotted)) {
      const ms = typeof value === 'boolean' ? undefined : parseDuration(value);
      if (ms === undefined || ms === 0) report(path, badDuration(value));
      else if (ms > MAX_TIMER_MS)
        report(
          path,
          `${String(value)} is longer than Node.js timers allow (${MAX_TIMER_MS} ms, about 24 days)`,
        );
      return ms ?? value;
    }
    if (SIZES.has(dotted)) {
      const bytes = typeof value === 'boolean' ? undefined : parseSize(value);
      if (bytes === undefined || bytes === 0) report(path, badSize(value));
      return bytes ?? value;
    }
    const parent = path.length > 1 ? String(path[0]) : '';
    if (parent === 'env' || dotted === 'args') return String(value);
    if (typeof value !== 'string') return value;
    if (dotted === 'cwd' || dotted === 'command' || PATH_LISTS.has(dotted))
      return expandTilde(value, scope.userHome);
    if (dotted === 'output.redact') checkRegExp(value, path);
    return value;
  };

  const checkRegExp = (pattern: string, path: Segment[]): void => {
    const problem = redactProblem(pattern);
    if (problem !== undefined) report(path, problem);
  };

  const server = visit(layer.data, []) as PartialServer;
  return { server: typeof server === 'object' && server !== null ? server : {}, problems };
}

/** Text a redact pattern is tried on to find one that matches nothing (an empty match). */
const EMPTY_PROBE = 'a Z 0_\n-.';

/**
 * Why: an `output.redact` entry is a built-in name or a regular expression (`u` flag). A word
 * that is not a built-in is almost surely a misspelt one, which as a regex would silently match
 * only that word; a regex that can match nothing would put a marker between every character.
 */
export function redactProblem(entry: string): string | undefined {
  if (isBuiltinName(entry)) return undefined;
  if (/^[a-z][a-z0-9-]*$/.test(entry)) {
    return `'${entry}' is not a built-in pattern (${BUILTIN_NAMES.join(', ')}); to match this text literally, write (?:${entry})`;
  }
  try {
    new RegExp(entry, 'u');
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
  const pattern = new RegExp(entry, 'gu');
  for (const match of ['', ...EMPTY_PROBE.split(''), EMPTY_PROBE].flatMap((s) => [
    ...s.matchAll(pattern),
  ])) {
    if (match[0] === '')
      return 'this regular expression can match an empty string; it must match at least one character';
  }
  return undefined;
}
