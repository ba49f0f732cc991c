/** Durations and sizes as the manifest writes them (`250ms`, `10m`, `8MiB`) and as code uses them. */

const DURATION = /^([0-9]+)(ms|s|m|h)?$/;
const SIZE = /^([0-9]+)(B|KiB|MiB|GiB)?$/;

const MS_PER: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTES_PER: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** The longest delay a Node.js timer honours; a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function parseWithUnits(
  v: string | number,
  pattern: RegExp,
  factors: Record<string, number>,
  bare: string,
): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  const match = pattern.exec(v);
  if (match === null) return undefined;
  const factor = factors[match[2] ?? bare];
  if (factor === undefined) return undefined;
  const value = Number(match[1]) * factor;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Why: validators return results, so a malformed duration is `undefined`, never a throw. */
export function parseDuration(v: string | number): number | undefined {
  return parseWithUnits(v, DURATION, MS_PER, 'ms');
}

/** Why: same contract as parseDuration, for byte sizes (binary units only: KiB, MiB, GiB). */
export function parseSize(v: string | number): number | undefined {
  return parseWithUnits(v, SIZE, BYTES_PER, 'B');
}
