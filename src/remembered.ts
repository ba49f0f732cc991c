/**
 * A pure function of a text, remembered for short texts: what recurs on every message (method,
 * tool and argument names, keys, labels) is worked out once. Bounded in the length of the texts
 * it keeps and in their number, starting over when full, so whatever a peer sends costs time,
 * never memory.
 */
export function remembering<T>(
  compute: (text: string) => T,
  maxLength: number,
  maxCount: number,
): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    if (text.length > maxLength) return compute(text);
    if (known.has(text)) return known.get(text) as T;
    const value = compute(text);
    if (known.size >= maxCount) known.clear();
    known.set(text, value);
    return value;
  };
}
