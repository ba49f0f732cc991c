/**
 * Which strings of a server's message are text a person or a model reads, and cleaning them
 * (stripControl, then redact) without copying anything that did not change. Identifiers are
 * never touched (`name`, `uri`, cursors, base64 `data`/`blob`, `_meta`): a client must be able
 * to use them as sent.
 */
import { isObject } from '../../protocol/jsonrpc.js';

export type Clean = (text: string) => string;

/** Keys whose string value is text, wherever they appear. */
const TEXT_KEYS = new Set([
  'text',
  'description',
  'title',
  'message',
  'systemPrompt',
  'instructions',
]);
/** Keys under which every string is text (the data a tool returns). */
const ALL_TEXT_BELOW = new Set(['structuredContent']);
/** Keys never looked into. */
const SKIP = new Set(['_meta']);

/**
 * Cleans the text in `value`: strings under TEXT_KEYS (or every string, with `all`). Returns
 * `value` itself when nothing changed, else a copy changed only along the changed paths.
 */
export function cleanDeep(value: unknown, clean: Clean, all = false): unknown {
  if (typeof value === 'string') return all ? clean(value) : value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = cleanDeep(item, clean, all);
      if (next !== item) {
        out ??= value.slice();
        out[i] = next;
      }
    }
    return out ?? value;
  }
  if (!isObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || (!all && SKIP.has(key))) continue;
    const item = value[key];
    const next =
      typeof item === 'string'
        ? all || TEXT_KEYS.has(key)
          ? clean(item)
          : item
        : cleanDeep(item, clean, all || ALL_TEXT_BELOW.has(key));
    if (next !== item) {
      out ??= { ...value };
      out[key] = next;
    }
  }
  return out ?? value;
}
