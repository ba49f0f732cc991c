/**
 * What counts as a secret in a client's entry: a value under a name like `*_TOKEN`, `*_KEY`,
 * `*SECRET*` or `*PASSWORD*`, or a value that looks like a token whatever its name (the built-in
 * redaction patterns, a long mixed-case key, a long hex or UUID key, a URL with a password). A
 * secret is never written into a manifest: the manifest refers to it by `${env:NAME}`.
 */
import { BUILTIN_NAMES } from '../config/redact-names.js';
import { createRedactor } from '../policy/output/redact.js';

const SECRET_NAME = /(?:^|_)(?:TOKEN|KEY|APIKEY|PAT)$|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;

/** Why: names that hold secrets by convention, whatever their value looks like. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

const builtin = createRedactor(BUILTIN_NAMES);

/** Why: a token pasted under an innocent name (`GITHUB`, an argument) is still a secret. */
export function looksLikeSecret(value: string): boolean {
  if (builtin !== undefined && builtin.findPlain(value).length > 0) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i.test(value)) return true; // user:password@
  for (const word of value.split(/[\s=:,;"']+/)) {
    if (word.length < 20 || !/^[A-Za-z0-9_\-+=.~/]+$/.test(word) || word.includes('//')) continue;
    if (/^[0-9a-f]{32,}$/i.test(word)) return true;
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(word)) return true;
    const digits = word.replace(/[^0-9]/g, '').length;
    const mixed = /[a-z]/.test(word) && /[A-Z]/.test(word) && digits >= 3;
    if (mixed && !word.includes('/') && !word.startsWith('-')) return true;
  }
  return false;
}
