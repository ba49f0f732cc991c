/**
 * One path argument, from the string a client sent to the places it can reach: `~` expanded,
 * `file:` URIs decoded (by URL rules and as text), percent-encoding decoded, made absolute
 * against the server's working directory, normalised, and resolved through symlinks. The result
 * lists every form the policy must allow, for every reading: the path as written (normalised),
 * its real path, and — when it has `..` — the path the kernel would reach.
 */
import { posix } from 'node:path';
import { type PathFlavor, isWin32AbsoluteForm } from './flavor.js';
import { FILE_URI, fileUriText, fileUriToPath, percentDecoded } from './file-uri.js';
import type { PathFs } from './path-fs.js';
import { resolvePhysical, resolveReal } from './real-path.js';
import { found, refused, type PathResult, type Refused } from './result.js';
import { normalizeWin32 } from './win32-path.js';

export interface ResolveEnvironment {
  /** The host's path rules. */
  flavor: PathFlavor;
  /** The server's working directory: absolute, in the host's flavour. */
  cwd: string;
  /** What the server reads `~` as. */
  home: string;
  fs: PathFs;
}

export type Resolution = { ok: true; forms: string[] } | Refused;

const DOT_DOT = /(?:^|[\\/])\.\.(?:[\\/]|$)/;

export function resolvePathValue(value: string, env: ResolveEnvironment): Resolution {
  if (value.includes('\0')) return refused('contains a NUL byte');
  const forms: string[] = [];
  for (const reading of pathReadings(value, env)) {
    if (!reading.ok) return reading;
    const resolved = resolveReading(reading.path, env);
    if (!resolved.ok) return resolved;
    for (const form of resolved.forms) if (!forms.includes(form)) forms.push(form);
  }
  return { ok: true, forms };
}

/**
 * Why: the paths a server may take `value` for. A `file:` URI by the URL rules and as text; a
 * percent-encoded text also decoded; `~` expanded; on POSIX, a `\` also read as `/` (servers
 * that accept Windows-style input turn it into a separator, and Windows forms are read by Windows
 * rules anyway).
 */
function pathReadings(value: string, env: ResolveEnvironment): PathResult[] {
  const readings: PathResult[] = [];
  const add = (path: string, expandsHome: boolean) => {
    readings.push(expandsHome ? expandHome(path, env) : found(path));
    if (env.flavor === 'posix' && path.includes('\\') && !isWin32AbsoluteForm(path)) {
      const slashed = path.replace(/\\/g, '/');
      readings.push(expandsHome ? expandHome(slashed, env) : found(slashed));
    }
  };
  let text = value;
  if (FILE_URI.test(value)) {
    const url = fileUriToPath(value, env.flavor);
    if (!url.ok) return [url];
    add(url.path, false);
    text = fileUriText(value, env.flavor);
  }
  add(text, true);
  const decoded = percentDecoded(text);
  if (decoded !== undefined) add(decoded, true);
  return readings;
}

/** One reading: NUL-free, not climbing when relative, absolute and normal, symlinks resolved. */
function resolveReading(path: string, env: ResolveEnvironment): Resolution {
  if (path.includes('\0')) return refused('contains a NUL byte (percent-encoded)');
  if (env.flavor === 'posix' && isWin32AbsoluteForm(path)) {
    // A Windows path on a POSIX host: normal by Windows rules, and under no POSIX directory.
    const normal = normalizeWin32(path, 'C:\\');
    return normal.ok ? { ok: true, forms: [normal.path] } : normal;
  }
  if (isRelative(path, env.flavor) && climbs(path))
    return refused('is a relative path that climbs above the folder it is relative to');
  return env.flavor === 'win32' ? resolveWin32(path, env) : resolvePosix(path, env);
}

/** `~` and `~/x` as the server's home; `~name` refused; anything else as it is. */
function expandHome(value: string, env: ResolveEnvironment): PathResult {
  if (!value.startsWith('~')) return found(value);
  if (value === '~') return found(env.home);
  const separator = value[1];
  if (separator === '/' || (env.flavor === 'win32' && separator === '\\'))
    return found(`${env.home}${value.slice(1)}`);
  return refused('starts with "~name", a home folder mcp-guard does not expand');
}

function resolvePosix(path: string, env: ResolveEnvironment): Resolution {
  const lexical = posix.resolve(env.cwd, path);
  const real = resolveReal(lexical, env.fs, 'posix');
  if (!real.ok) return real;
  const forms = [lexical, real.path];
  if (DOT_DOT.test(path)) {
    const physical = resolvePhysical(path.startsWith('/') ? path : `${env.cwd}/${path}`, env.fs);
    if (!physical.ok) return physical;
    forms.push(physical.path);
  }
  return { ok: true, forms: [...new Set(forms)] };
}

function resolveWin32(path: string, env: ResolveEnvironment): Resolution {
  const lexical = normalizeWin32(path, env.cwd);
  if (!lexical.ok) return lexical;
  const real = resolveReal(lexical.path, env.fs, 'win32');
  if (!real.ok) return real;
  // The filesystem's answer, read by the same rules (drive letter case, `\\?\`).
  const normalReal = normalizeWin32(real.path, lexical.path);
  const forms = [lexical.path, normalReal.ok ? normalReal.path : real.path];
  return { ok: true, forms: [...new Set(forms)] };
}

function isRelative(path: string, flavor: PathFlavor): boolean {
  if (flavor === 'posix') return !path.startsWith('/');
  return !/^(?:[A-Za-z]:|[\\/])/.test(path);
}

/**
 * Why: servers disagree on what a relative path is relative to (the working directory, the
 * first root…); one that never climbs above its base stays inside whichever it is.
 */
function climbs(path: string): boolean {
  let depth = 0;
  for (const name of path.split(/[\\/]/)) {
    if (name === '..') depth -= 1;
    else if (name !== '' && name !== '.') depth += 1;
    if (depth < 0) return true;
  }
  return false;
}
