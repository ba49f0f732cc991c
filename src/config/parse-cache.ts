/**
 * A cache of parsed YAML, keyed by the SHA-256 of the file's text, so that `run` — started by a
 * client at every launch, often many at once, with a few seconds for the handshake — does not
 * import and run the YAML parser (~30 ms) for a manifest it has already seen. Only the parse is
 * cached, with the names of the schema checks it passed (each names the generated validators it
 * ran, so another build of them checks again): profiles and variables run every time (so no
 * secret from `${env:…}` is ever written), and a problem is still located by parsing the text for
 * real. The cache lives with the user's other caches (`$XDG_CACHE_HOME/mcp-guard/parsed`,
 * `%LOCALAPPDATA%\mcp-guard\cache`), written with owner-only permissions; any failure to read or
 * write it is ignored.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

const FORMAT = 1;

/** Why: the key is the content, so an edited file can never be served stale data. */
export function parseKey(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A cached parse: the data, and the schema checks it passed (`validate.ts` names them). */
export interface Parsed {
  data: unknown;
  passed: string[];
}

/** The cached parse of this text, or undefined. */
export function readParsed(cacheDir: string, key: string): Parsed | undefined {
  try {
    const entry = JSON.parse(readFileSync(join(cacheDir, `${key}.json`), 'utf8')) as {
      format?: unknown;
      key?: unknown;
      data?: unknown;
      passed?: unknown;
    };
    if (entry.format !== FORMAT || entry.key !== key) return undefined;
    const passed = Array.isArray(entry.passed)
      ? entry.passed.filter((check): check is string => typeof check === 'string')
      : [];
    return { data: entry.data, passed };
  } catch {
    return undefined;
  }
}

/**
 * Stores a parse and the schema checks it passed, unless JSON cannot hold it exactly (YAML's
 * `.inf`, `.nan`).
 */
export function writeParsed(
  cacheDir: string,
  key: string,
  data: unknown,
  passed: readonly string[] = [],
): void {
  let exact = true;
  const entry =
    passed.length === 0 ? { format: FORMAT, key, data } : { format: FORMAT, key, data, passed };
  const text = JSON.stringify(entry, (_name, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) exact = false;
    if (typeof value === 'bigint' || value instanceof Date) exact = false;
    return typeof value === 'bigint' ? null : value;
  });
  if (!exact) return;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const file = join(cacheDir, `${key}.json`);
    writeFileAtomic(file, text, { mode: 0o600 });
  } catch {
    // A cache that cannot be written costs only speed.
  }
}
