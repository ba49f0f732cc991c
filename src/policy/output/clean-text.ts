/**
 * What "output" means (docs/policy.md): every string of a server's message that can reach the
 * model — values and object keys alike, wherever they are (results, errors with their `data`,
 * `structuredContent`, schemas with their property names, `enum` and `default`, `_meta`,
 * annotations, links, notifications, the server's own requests). Left exactly as sent: the
 * envelope (`jsonrpc`, `id`, `method`) and the tokens a client hands back without showing them
 * (`nextCursor`, `cursor`, `progressToken`, `requestId`, `taskId`). Base64 payloads (`blob`,
 * and `data` of an image or audio item) are binary: redacted in their decoded bytes, never
 * stripped.
 *
 * The walk is copy-on-write (a message with nothing to clean is returned as is) and recurses at
 * most as deep as a message may nest (protocol/depth.ts).
 */
import { isObject } from '../../protocol/jsonrpc.js';

/** Tokens the client uses as sent and never shows. */
const PLUMBING = new Set(['nextCursor', 'cursor', 'progressToken', 'requestId', 'taskId']);
/** Members that name a kind (`"type": "text"`): output, but not part of the text a model reads. */
const LABELS = new Set(['type', 'role', 'mimeType']);
/** Item types whose `data` is base64. */
const BINARY_ITEMS = new Set(['image', 'audio']);

export type StringKind = 'text' | 'key' | 'label' | 'binary';

/** Returns the string to put in place of `text` (the same string when nothing changes). */
export type MapString = (text: string, kind: StringKind) => string;

/**
 * `value` with every output string passed through `map`, in document order (an object's key
 * before its value). Returns `value` itself when nothing changed.
 */
export function mapStrings(value: unknown, map: MapString): unknown {
  if (typeof value === 'string') return map(value, 'text');
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = mapStrings(item, map);
      if (next !== item) {
        out ??= value.slice();
        out[i] = next;
      }
    }
    return out ?? value;
  }
  if (!isObject(value)) return value;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(value)) {
    const item = value[key];
    const name = map(key, 'key');
    let next = item;
    if (typeof item === 'string') {
      if (PLUMBING.has(key)) next = item;
      else if (isBinary(value, key)) next = map(item, 'binary');
      else next = map(item, LABELS.has(key) ? 'label' : 'text');
    } else {
      next = mapStrings(item, map);
    }
    if (name !== key || next !== item) changed = true;
    entries.push([name, next]);
  }
  return changed ? Object.fromEntries(entries) : value;
}

function isBinary(holder: Record<string, unknown>, key: string): boolean {
  if (key === 'blob') return true;
  return key === 'data' && typeof holder.type === 'string' && BINARY_ITEMS.has(holder.type);
}
