/**
 * The names `output.redact` may use for a built-in secret pattern. The configuration checks
 * entries against this list; the patterns themselves (policy/output/redact-patterns.ts) are keyed
 * by it, so the compiler keeps the two in step.
 */
export const BUILTIN_NAMES = [
  'aws',
  'github',
  'private-key',
  'bearer',
  'slack',
  'google',
  'stripe',
  'npm',
] as const;

export type BuiltinName = (typeof BUILTIN_NAMES)[number];

/** Why: `output.redact` entries that name a built-in, rather than being a regular expression. */
export function isBuiltinName(entry: string): entry is BuiltinName {
  return (BUILTIN_NAMES as readonly string[]).includes(entry);
}
