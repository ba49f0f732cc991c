/**
 * `output.maxResultBytes` (SPEC 3): a `tools/call` or `resources/read` result larger than this is
 * cut, and a note saying what was cut is added as one more item so the model knows. The size is
 * what the items carry: UTF-8 bytes of text, base64 characters of images, audio and blobs, and
 * the JSON of `structuredContent`. Items are kept in order while they fit; the first text that
 * does not fit is cut at a character boundary; what comes after is left out. A tool whose
 * `structuredContent` has to go (it no longer fits) and that declares an outputSchema gets
 * `isError: true`, since clients reject a result of such a tool without it.
 */
import { isObject } from '../../protocol/jsonrpc.js';
import { paramString, withResult } from '../message.js';
import type { PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';

const ITEMS: Readonly<Record<string, 'content' | 'contents'>> = {
  'tools/call': 'content',
  'resources/read': 'contents',
};

type Item = Record<string, unknown>;

export function createResultSizeCheck(maxResultBytes: number): PolicyCheck {
  return {
    name: 'result-size',
    check(message, context): Verdict {
      if (context.direction !== 'server-to-client' || message.kind !== 'response') return PASS;
      const method = context.request?.method ?? '';
      const key = ITEMS[method];
      const result = message.result;
      if (key === undefined || !isObject(result) || !Array.isArray(result[key])) return PASS;
      const items = result[key] as unknown[];
      const structured = result.structuredContent;
      const structuredBytes =
        structured === undefined ? 0 : Buffer.byteLength(JSON.stringify(structured));
      const sizes = items.map(itemBytes);
      const total = sizes.reduce((a, b) => a + b, structuredBytes);
      if (total <= maxResultBytes) return PASS;

      let budget = maxResultBytes;
      const kept: unknown[] = [];
      const notes: string[] = [];
      const left: string[] = [];
      items.forEach((item, i) => {
        const size = sizes[i] ?? 0;
        if (size <= budget) {
          kept.push(item);
          budget -= size;
          return;
        }
        const cut = budget > 0 && isObject(item) ? cutItem(item, budget) : undefined;
        if (cut !== undefined) {
          kept.push(cut);
          notes.push(`item ${i + 1} (text) was cut after ${budget} of its ${size} bytes`);
          budget = 0;
          return;
        }
        left.push(isObject(item) && typeof item.type === 'string' ? item.type : 'item');
      });
      if (left.length > 0) {
        notes.push(
          `${left.length} ${left.length === 1 ? 'item' : 'items'} (${left.join(', ')}) ${left.length === 1 ? 'was' : 'were'} left out`,
        );
      }
      const next: Record<string, unknown> = { ...result };
      if (structured !== undefined && structuredBytes > budget) {
        delete next.structuredContent;
        notes.push('structuredContent was left out');
        const tool = paramString(context.request?.params, 'name');
        if (method === 'tools/call' && tool !== undefined) {
          if (context.catalog.tool(tool)?.outputSchema !== undefined) next.isError = true;
        }
      }
      const note =
        `[mcp-guard cut this result to output.maxResultBytes (${maxResultBytes} bytes): ` +
        `it was ${total} bytes; ${notes.join('; ')}]`;
      kept.push(noteItem(key, note, items, context.request?.params));
      next[key] = kept;
      return {
        action: 'rewrite',
        message: withResult(message, next),
        withheld: [
          {
            rule: 'output.maxResultBytes',
            reason: `result cut from ${total} bytes to ${maxResultBytes} (${notes.join('; ')})`,
          },
        ],
      };
    },
  };
}

/** What one item carries: its text, base64 data and blobs (an embedded resource's too). */
function itemBytes(item: unknown): number {
  if (!isObject(item)) return 0;
  let size = 0;
  if (typeof item.text === 'string') size += Buffer.byteLength(item.text);
  if (typeof item.data === 'string') size += item.data.length;
  if (typeof item.blob === 'string') size += item.blob.length;
  if (isObject(item.resource)) size += itemBytes(item.resource);
  return size;
}

/** The item with its text cut to `bytes` (an embedded resource's text too), if it has text. */
function cutItem(item: Item, bytes: number): Item | undefined {
  if (typeof item.text === 'string') return { ...item, text: cutUtf8(item.text, bytes) };
  const resource = item.resource;
  if (isObject(resource) && typeof resource.text === 'string') {
    return { ...item, resource: { ...resource, text: cutUtf8(resource.text, bytes) } };
  }
  return undefined;
}

/** The longest prefix of `text` whose UTF-8 form fits in `bytes`, never splitting a character. */
export function cutUtf8(text: string, bytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8');
}

/** The note as an item of the result's own kind. */
function noteItem(
  key: 'content' | 'contents',
  note: string,
  items: readonly unknown[],
  params: unknown,
): Item {
  if (key === 'content') return { type: 'text', text: note };
  const first = items.find(isObject);
  const uri =
    (first !== undefined && typeof first.uri === 'string' ? first.uri : undefined) ??
    paramString(params, 'uri') ??
    '';
  return { uri, mimeType: 'text/plain', text: note };
}
