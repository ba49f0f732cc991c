/** Human wording for configuration problems, shared by the schema check and the resolver. */

/** Why: messages quote the bad value the way the user wrote it, whatever its type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'a map';
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'nothing',
};

/** Why: ajv says `must be integer,string`; users read `expected a whole number or a string`. */
export function expectedType(types: readonly string[], value: unknown): string {
  const names = types.filter((t) => t !== 'null').map((t) => TYPE_NAMES[t] ?? t);
  return `expected ${names.join(' or ')}, got ${describeValue(value)}`;
}

/** Why: one wording for a bad duration, whether the schema or the parser caught it. */
export function badDuration(value: unknown): string {
  return `expected a duration greater than 0 (250ms, 5s, 10m, 1h or whole milliseconds), got ${describeValue(value)}`;
}

/** Why: one wording for a bad size, whether the schema or the parser caught it. */
export function badSize(value: unknown): string {
  return `expected a size greater than 0 (512KiB, 8MiB, 1GiB or bytes), got ${describeValue(value)}`;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Why: a typo'd key is the commonest mistake; name the key that was probably meant. */
export function unknownKey(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best !== undefined) return `unknown key '${key}' (did you mean '${best}'?)`;
  return known.length === 0
    ? `unknown key '${key}'`
    : `unknown key '${key}' (expected one of: ${known.join(', ')})`;
}
