/**
 * How deeply a message may nest arrays and objects. JSON.parse copes with any depth, but almost
 * everything after it recurses — JSON.stringify, the policy's walks of a result, ajv compiling a
 * schema, canonical JSON for pinning, the audit log's serialiser — and ~8,000 nested arrays (16 KB)
 * overflow the stack. A message nested deeper than MAX_DEPTH is therefore refused where it is
 * parsed, before anything walks it, so every walk after that recurses at most MAX_DEPTH levels.
 * 128 is serde_json's limit too; MCP messages (schemas included) need a fraction of it.
 */

/** Levels of arrays and objects a message may have, the message object itself being level 1. */
export const MAX_DEPTH = 128;

/** What one walk of a parsed value finds (one-reading.ts uses the counts). */
export interface Shape {
  /** Nested deeper than the limit (the walk stopped there; the counts are then partial). */
  tooDeep: boolean;
  /** Keys plus string values: the string tokens JSON.parse kept. */
  strings: number;
  /** Some object has an own `__proto__` key. */
  proto: boolean;
}

/**
 * Why: whether `value` nests arrays and objects more than `limit` levels deep. Iterative (its
 * own stack, never the call stack), each container visited at most once, stopping at the first
 * container past the limit: linear in the size of the value.
 */
export function exceedsDepth(value: unknown, limit = MAX_DEPTH): boolean {
  return measure(value, limit).tooDeep;
}

/** Why: the depth bound and the counts of one-reading.ts in one walk (every line pays for it). */
export function measure(value: unknown, limit = MAX_DEPTH): Shape {
  const shape: Shape = { tooDeep: false, strings: typeof value === 'string' ? 1 : 0, proto: false };
  if (typeof value !== 'object' || value === null) return shape;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) {
      shape.tooDeep = true;
      return shape;
    }
    let children: unknown[];
    if (Array.isArray(node)) children = node as unknown[];
    else {
      children = Object.values(node);
      shape.strings += children.length;
      if (Object.hasOwn(node, '__proto__')) shape.proto = true;
    }
    for (const child of children) {
      if (typeof child === 'string') shape.strings += 1;
      else if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return shape;
}
