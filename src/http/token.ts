/**
 * The bearer token of mcp-guard's HTTP endpoints (SPEC section 8: `up --http`, `up --metrics`):
 * generated on first use, kept in `<stateDir>/token` readable by its owner only (0600), and
 * compared in constant time. One token per state folder, so a scrape config or a client entry
 * made once keeps working across restarts of `up`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GuardError } from '../errors.js';

/** 32 random bytes, base64url: 43 characters that need no quoting in a header or a YAML file. */
const TOKEN_BYTES = 32;
/** What a token file may hold: base64url, long enough to be a secret. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,512}$/;

export interface Token {
  /** The secret itself. */
  value: string;
  /** Where it is kept. */
  file: string;
  /** This call wrote it (first use): worth telling the user where it is. */
  created: boolean;
}

/** Where the token of a state folder is kept. */
export function tokenFile(stateDir: string): string {
  return join(stateDir, 'token');
}

/**
 * Why: the token of this state folder, made if there is none. A new token is written to a
 * temporary file (0600) and linked into place, so a second `up` starting at the same moment reads
 * the first one's token whole or makes its own, never half of one. A token file that others may
 * read, or that holds no token, is refused (ERR_TOKEN) rather than trusted or overwritten.
 */
export function loadOrCreateToken(stateDir: string, platform = process.platform): Token {
  const file = tokenFile(stateDir);
  const existing = readToken(file, platform);
  if (existing !== null) return { value: existing, file, created: false };
  const value = randomBytes(TOKEN_BYTES).toString('base64url');
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${value}\n`, { mode: 0o600, flag: 'wx' });
    linkSync(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new GuardError('ERR_TOKEN', `could not write the token ${file}: ${String(err)}`, {
        cause: err,
      });
    }
    // Another process made it first: use that one.
    const theirs = readToken(file, platform);
    if (theirs === null) throw new GuardError('ERR_TOKEN', `${file} holds no token`);
    return { value: theirs, file, created: false };
  } finally {
    rmSync(temporary, { force: true });
  }
  return { value, file, created: true };
}

/** The token in `file`, null when there is no file; throws when it is unsafe or not a token. */
function readToken(file: string, platform: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new GuardError('ERR_TOKEN', `could not read the token ${file}: ${String(err)}`, {
      cause: err,
    });
  }
  // Windows has no mode bits to check; the state folder's ACL is what protects it there.
  const mode = platform === 'win32' ? 0o600 : statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new GuardError(
      'ERR_TOKEN',
      `${file} may be read by other users (mode ${mode.toString(8)}): run 'chmod 600 ${file}', or delete it to have a new token made`,
    );
  }
  const value = text.trim();
  if (!TOKEN_SHAPE.test(value)) {
    throw new GuardError(
      'ERR_TOKEN',
      `${file} holds no token (32 to 512 characters of A-Z a-z 0-9 _ -): delete it to have a new one made`,
    );
  }
  return value;
}

/**
 * Why: whether an `Authorization` header carries the token, in time that does not depend on where
 * a wrong token first differs nor on its length (both sides are hashed to equal length first).
 * The scheme is case-insensitive (RFC 9110); anything but `Bearer <token>` is refused.
 */
export function bearerMatches(expected: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const given = match?.[1] ?? '';
  const same = timingSafeEqual(digest(expected), digest(given));
  return match !== null && same;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
