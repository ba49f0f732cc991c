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

/**
 * Why: whether `value` nests arrays and objects more than `limit` levels deep. Iterative (its
 * own stack, never the call stack), each container visited at most once, stopping at the first
 * container past the limit: linear in the size of the value.
 */
export function exceedsDepth(value: unknown, limit = MAX_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
