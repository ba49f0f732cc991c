/**
 * SPEC §3 merge order, later wins: built-in defaults ← profile ← `defaults` ← the server's keys.
 * Maps merge key by key (so `env`, `pathArgs`, `rateLimits` merge by name); scalars and lists
 * replace, except the lists below, which accumulate: a later layer can add a denial, never
 * remove one.
 */
import { setOwn } from '../own-key.js';
import type { PartialServer } from './layer.js';

/** Why: these lists only grow down the layers (union, first-seen order, no duplicates). */
export const ACCUMULATING_LISTS: ReadonlySet<string> = new Set([
  'tools.deny',
  'resources.deny',
  'prompts.deny',
  'paths.deny',
  'paths.readOnly',
  'output.redact',
]);

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why: accumulated lists must not repeat an entry that two layers both name. */
export function union<T>(...lists: readonly (readonly T[])[]): T[] {
  return [...new Set(lists.flat())];
}

function mergeValue(base: unknown, over: unknown, path: string): unknown {
  if (over === undefined) return base;
  if (isMap(base) && isMap(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
      const below = Object.hasOwn(base, key) ? base[key] : undefined;
      setOwn(out, key, mergeValue(below, value, path === '' ? key : `${path}.${key}`));
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over) && ACCUMULATING_LISTS.has(path)) {
    return union(base as unknown[], over as unknown[]);
  }
  return over;
}

/** Why: the one merge used for every layer stack, base first. */
export function mergeLayers(layers: readonly PartialServer[]): PartialServer {
  let merged: unknown = {};
  for (const layer of layers) merged = mergeValue(merged, layer, '');
  return merged as PartialServer;
}
