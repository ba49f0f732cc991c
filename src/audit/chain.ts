/**
 * The hash chain, shared by the writer and the verifier. A record line is
 * `PREFIX,"hash":"HEX"}` where PREFIX is the record's JSON text up to (not including) that member
 * and HEX is the lowercase hex SHA-256 of PREFIX's UTF-8 bytes. PREFIX ends with the `prev` member,
 * so each hash covers the previous one. Hashing the exact bytes written (not a re-serialisation)
 * makes verification independent of any JSON serialiser: any changed byte is detected.
 */
import * as crypto from 'node:crypto';

/** `prev` of a session's first record. */
export const ZERO_HASH = '0'.repeat(64);

/** What follows PREFIX on every record line: `,"hash":"` + 64 hex digits + `"}`. */
export const HASH_HEAD = ',"hash":"';
export const HASH_TAIL = '"}';
export const HASH_SUFFIX_LENGTH = HASH_HEAD.length + 64 + HASH_TAIL.length;

/** `crypto.hash` (Node >= 20.12) is twice as fast as createHash for short input; 20.5 lacks it. */
const oneShot: typeof crypto.hash | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** Why: one definition of the digest, so writer and verifier cannot drift apart. */
export function hashPrefix(prefix: string | Uint8Array): string {
  return oneShot === undefined
    ? crypto.createHash('sha256').update(prefix).digest('hex')
    : oneShot('sha256', prefix, 'hex');
}

/** Why: the writer turns a record's JSON text (without its closing brace) into the sealed line. */
export function sealPrefix(prefix: string): { line: string; hash: string } {
  const hash = hashPrefix(prefix);
  return { line: `${prefix}${HASH_HEAD}${hash}${HASH_TAIL}`, hash };
}
