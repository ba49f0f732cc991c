/**
 * `mcp-guard.lock`, beside the manifest: the approved tool definitions of each server, meant to
 * be committed. JSON, keys sorted at every level, two-space indentation, one member per line and
 * a final newline, so it is stable (the same tools give the same bytes) and a change shows as a
 * readable diff in review. Characters that hide or reorder text (C1 controls, bidi and
 * zero-width characters, tags) are written as `\u` escapes, so the file reads as it is.
 *
 *   {
 *     "//": "…",
 *     "lockfileVersion": 1,
 *     "servers": {
 *       "<server>": { "tools": { "<tool>": { "annotations": …, "description": …,
 *                                           "inputSchema": …, "sha256": "<hex>" } } }
 *     }
 *   }
 *
 * Writes go through a temporary file and a rename (a reader never sees half a file); each
 * writer updates only its own server's entry and checks it afterwards, so `run` processes of
 * different servers recording at the same moment do not lose each other's entries.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../atomic-file.js';
import { isObject } from '../../protocol/jsonrpc.js';
import { canonicalJson, type PinnedTool } from './definition.js';

export const LOCK_NAME = 'mcp-guard.lock';
export const LOCK_VERSION = 1;
const HEADER =
  'Tool definitions approved for each server (SPEC 6.7). Written by `mcp-guard pin`; commit it.';

export type PinnedTools = Record<string, PinnedTool>;

export interface Lock {
  servers: Record<string, { tools: PinnedTools }>;
}

/** Where the lock of a manifest lives. */
export function lockFileFor(manifestFile: string): string {
  return join(dirname(manifestFile), LOCK_NAME);
}

/** The lock's text: canonical, indented, invisible characters escaped. */
export function formatLock(lock: Lock): string {
  const text = canonicalJson({ '//': HEADER, lockfileVersion: LOCK_VERSION, ...lock }, 2);
  return `${text.replace(
    /[\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\udb40[\udc00-\udc7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )}\n`;
}

/** Parses a lock's text; throws an Error saying what is wrong. */
export function parseLock(text: string): Lock {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) throw new Error('not a JSON object');
  if (value.lockfileVersion !== LOCK_VERSION) {
    throw new Error(
      `lockfileVersion must be ${LOCK_VERSION}, got ${JSON.stringify(value.lockfileVersion)}`,
    );
  }
  const servers = value.servers;
  if (!isObject(servers)) throw new Error('"servers" must be an object');
  const lock: Lock = { servers: {} };
  for (const [server, entry] of Object.entries(servers)) {
    if (!isObject(entry) || !isObject(entry.tools)) {
      throw new Error(`servers.${server}.tools must be an object`);
    }
    const tools: PinnedTools = {};
    for (const [tool, pinned] of Object.entries(entry.tools)) {
      if (!isObject(pinned) || typeof pinned.sha256 !== 'string') {
        throw new Error(`servers.${server}.tools.${tool} must be an object with a sha256`);
      }
      define(tools, tool, pinned as unknown as PinnedTool);
    }
    define(lock.servers, server, { tools });
  }
  return lock;
}

/** The lock at `file`, or null when there is none; throws if it cannot be read or parsed. */
export function readLock(file: string): Lock | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return parseLock(text);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Sets (or, with null, removes) servers' entries and writes the lock atomically, keeping every
 * other server's entry as it is on disk at that moment.
 */
export function writeLockEntries(file: string, entries: Record<string, PinnedTools | null>): void {
  for (let attempt = 0; ; attempt++) {
    const lock = readLock(file) ?? { servers: {} };
    for (const [server, tools] of Object.entries(entries)) {
      if (tools === null) delete lock.servers[server];
      else define(lock.servers, server, { tools });
    }
    writeFileAtomic(file, formatLock(lock));
    const written = readLock(file) ?? { servers: {} };
    const lost = Object.entries(entries).some(
      ([server, tools]) =>
        canonicalJson(written.servers[server]?.tools ?? null) !== canonicalJson(tools),
    );
    if (!lost || attempt >= 3) return;
  }
}

/** A change stamp of the file (to re-read it only when it changed), or null when absent. */
export function lockStamp(file: string): string | null {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch {
    return null;
  }
}

function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
