/**
 * A cache of parsed YAML, keyed by the SHA-256 of the file's text, so that `run` — started by a
 * client at every launch, often many at once, with a few seconds for the handshake — does not
 * import and run the YAML parser (~30 ms) for a manifest it has already seen. Only the parse is
 * cached: validation, profiles and variables run every time (so no secret from `${env:…}` is ever
 * written), and a problem is still located by parsing the text for real. The cache lives with
 * the user's other caches (`$XDG_CACHE_HOME/mcp-guard/parsed`, `%LOCALAPPDATA%\mcp-guard\cache`),
 * written with owner-only permissions; any failure to read or write it is ignored.
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

/** The cached parse of this text, or undefined. */
export function readParsed(cacheDir: string, key: string): { data: unknown } | undefined {
  try {
    const entry = JSON.parse(readFileSync(join(cacheDir, `${key}.json`), 'utf8')) as {
      format?: unknown;
      key?: unknown;
      data?: unknown;
    };
    return entry.format === FORMAT && entry.key === key ? { data: entry.data } : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a parse, unless JSON cannot hold it exactly (YAML's `.inf`, `.nan`). */
export function writeParsed(cacheDir: string, key: string, data: unknown): void {
  let exact = true;
  const text = JSON.stringify({ format: FORMAT, key, data }, (_name, value: unknown) => {
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
