/**
 * The built-in secret patterns `output.redact` can name. Each is written for a linear, forward
 * scan (no leading lookbehind, case-insensitive words spelled as character classes) so that all
 * of them run as one regular expression over a result. Where the secret follows a telling
 * prefix (`aws_secret_access_key=`, `Bearer `), the prefix is kept and only the secret replaced.
 * Token formats with a telling prefix are matched wherever they start (text glued in front of a
 * key, escape sequences included, must not hide it); only their end must be the token's end.
 * Keyed by the names the configuration accepts (config/redact-names.ts).
 */
import type { BuiltinName } from '../../config/redact-names.js';

export interface SecretPattern {
  /** Text before the secret that stays (a regex source), if the pattern has one. */
  keep?: string;
  /** The secret itself (a regex source without capturing groups). */
  secret: string;
}

/** `word` matched in any letter case, as a character-class source. */
function anyCase(word: string): string {
  return [...word]
    .map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c))
    .join('');
}

const TOKEN_CHARS = '[A-Za-z0-9._~+/-]';

export const BUILTIN_PATTERNS: Readonly<Record<string, readonly SecretPattern[]>> = {
  // Access key ids, and secret access keys written as a key = value.
  aws: [
    { secret: '(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])' },
    {
      keep: `${anyCase('aws')}_?${anyCase('secret')}_?(?:${anyCase('access')}_?)?${anyCase('key')}["']?\\s*[:=]\\s*["']?`,
      secret: '[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])',
    },
  ],
  // Personal, OAuth, user-to-server, server-to-server and refresh tokens (letters and digits
  // only, so an underscore after one, as in `TOKEN_old`, ends it); fine-grained PATs.
  github: [
    { secret: 'gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])' },
    { secret: 'github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])' },
  ],
  // PEM private key blocks of any kind; a block cut short is redacted to the end of the text.
  'private-key': [
    {
      secret:
        '-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----(?:[\\s\\S]*?-----END[A-Z0-9 ]*PRIVATE KEY-----|[\\s\\S]*$)',
    },
  ],
  // `Bearer <token>`: a token of 16 or more characters with a digit (so prose is left alone).
  bearer: [
    {
      keep: `\\b${anyCase('bearer')}\\s+`,
      secret: `(?=${TOKEN_CHARS}*[0-9])${TOKEN_CHARS}{16,}=*`,
    },
  ],
  // Bot, user, app and refresh tokens; incoming-webhook URLs.
  slack: [
    { secret: 'xox[abposre]-[A-Za-z0-9-]{10,}' },
    { secret: 'xapp-[0-9]-[A-Za-z0-9-]{10,}' },
    { secret: 'https://hooks\\.slack\\.com/services/[A-Za-z0-9/_-]+' },
  ],
  // Google API keys.
  google: [{ secret: 'AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])' }],
  // Stripe secret and restricted keys.
  stripe: [{ secret: '[sr]k_(?:live|test)_[0-9A-Za-z]{16,}' }],
  // npm access tokens.
  npm: [{ secret: 'npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])' }],
} satisfies Record<BuiltinName, readonly SecretPattern[]>;

export { BUILTIN_NAMES, isBuiltinName } from '../../config/redact-names.js';
