/**
 * `output.maxResultBytes` (SPEC 6.6): the size of every answer to a client request — result or
 * error, of any method — counted as the message will be written to the client: the UTF-8 bytes
 * of the line the server sent when it goes through unchanged, else of the message re-serialised
 * after earlier checks rewrote it (the newline not counted). Envelope, keys, `_meta`, escapes:
 * everything the client receives counts.
 *
 * Over the limit, a `tools/call` or `resources/read` result is cut so that the whole message fits,
 * with a note saying what was cut added as one more item, so the model knows: items are kept in
 * order while they fit, the first text that does not fit is cut at a character boundary, what
 * comes after is left out. A tool whose `structuredContent` has to go and that declares an
 * outputSchema gets `isError: true`, since clients reject a result of such a tool without it.
 * Anything else over the limit — an error, another method's result, a result whose members other
 * than its items are too large — is refused: the request is answered with a refusal (message too large,
 * or for `tools/call` a result with `isError`) instead.
 *
 * Two checks share the work. The first runs before the output checks that walk the message
 * (`outputSchema`, cleaning): an answer with nothing to cut (an error, another method's result) is
 * measured there as the server sent it (or re-serialised, if that is shorter) and refused if over,
 * without being walked — a 3 MB error took ~450 ms of cleaning to be refused. The last measures
 * what the client would get after every rewrite, and cuts a result to fit; redaction runs before
 * it, so a secret is never half-shown at the cut.
 */
import { ErrorCode } from '../../protocol/error-codes.js';
import { isObject, type RpcMessage } from '../../protocol/jsonrpc.js';
import { resultFor } from '../../protocol/result-type.js';
import { paramString, withResult } from '../message.js';
import type { CheckContext, PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';

const ITEMS: Readonly<Record<string, 'content' | 'contents'>> = {
  'tools/call': 'content',
  'resources/read': 'contents',
};

type Item = Record<string, unknown>;
type Response = Extract<RpcMessage, { kind: 'response' }>;

/** The size checks of one pipeline: `first` before the walking output checks, `last` after them. */
export function createResultSizeChecks(maxResultBytes: number): {
  first: PolicyCheck;
  last: PolicyCheck;
} {
  /** Answers `first` refused while only observed: `last` does not record them again. */
  const judged = new WeakSet<CheckContext>();
  const first: PolicyCheck = {
    name: 'result-size-first',
    direction: 'server-to-client',
    check(message, context): Verdict {
      if (context.direction !== 'server-to-client' || context.request === undefined) return PASS;
      if (message.kind !== 'response' && message.kind !== 'error') return PASS;
      if (cuttable(message, context)) return PASS;
      const size = wireBytes(message, context);
      // Written afresh (no padding, no escapes) it may fit: the last check rewrites it then.
      if (size <= maxResultBytes || serialisedBytes(message) <= maxResultBytes) return PASS;
      judged.add(context);
      return tooLarge(message, size, maxResultBytes);
    },
  };
  const last: PolicyCheck = {
    name: 'result-size',
    direction: 'server-to-client',
    check(message, context): Verdict {
      if (context.direction !== 'server-to-client' || context.request === undefined) return PASS;
      if (message.kind !== 'response' && message.kind !== 'error') return PASS;
      if (judged.has(context)) return PASS;
      const size = wireBytes(message, context);
      if (size <= maxResultBytes) return PASS;
      // The server's line was padded or escaped: written afresh, the same message may fit.
      if (serialisedBytes(message) <= maxResultBytes)
        return { action: 'rewrite', message: { ...message } };
      const cut =
        message.kind === 'response' ? cutToFit(message, context, size, maxResultBytes) : null;
      return cut ?? tooLarge(message, size, maxResultBytes);
    },
  };
  return { first, last };
}

/** The check that measures what the client would get, and cuts a result to fit. */
export function createResultSizeCheck(maxResultBytes: number): PolicyCheck {
  return createResultSizeChecks(maxResultBytes).last;
}

/** A `tools/call` or `resources/read` result with its items: something the last check may cut. */
function cuttable(message: RpcMessage, context: CheckContext): boolean {
  if (message.kind !== 'response') return false;
  const key = ITEMS[context.request?.method ?? ''];
  return key !== undefined && isObject(message.result) && Array.isArray(message.result[key]);
}

function tooLarge(message: RpcMessage, size: number, maxResultBytes: number): Verdict {
  const what = message.kind === 'error' ? 'error' : 'result';
  return {
    action: 'deny',
    rule: 'output.maxResultBytes',
    reason: `the server's ${what} is ${size} bytes, over output.maxResultBytes (${maxResultBytes})`,
    code: ErrorCode.MessageTooLarge,
  };
}

/** The bytes the message takes on the client's wire, newline excluded. */
function wireBytes(message: RpcMessage, context: CheckContext): number {
  const received = context.received;
  if (received !== undefined && received.message === message) return received.bytes;
  return serialisedBytes(message);
}

function serialisedBytes(message: RpcMessage): number {
  return Buffer.byteLength(JSON.stringify(message.body));
}

/** Room left for the note when the first cut is sized (it is about 150 bytes). */
const NOTE_ROOM = 256;

/** The result cut so that the whole message fits in `max`, or null when it cannot be. */
function cutToFit(
  message: Response,
  context: CheckContext,
  size: number,
  max: number,
): Verdict | null {
  const method = context.request?.method ?? '';
  const key = ITEMS[method];
  const result = message.result;
  if (key === undefined || !isObject(result) || !Array.isArray(result[key])) return null;
  const items = result[key] as unknown[];
  const structured = result.structuredContent;
  const structuredBytes =
    structured === undefined ? 0 : Buffer.byteLength(JSON.stringify(structured));
  const sizes = items.map(itemBytes);
  const attempt = (budget: number) => {
    const cut = cutItems(items, sizes, structured, structuredBytes, budget);
    const next: Record<string, unknown> = { ...result };
    if (cut.dropStructured) {
      delete next.structuredContent;
      const tool = paramString(context.request?.params, 'name');
      if (method === 'tools/call' && tool !== undefined) {
        if (context.catalog.tool(tool)?.outputSchema !== undefined) next.isError = true;
      }
    }
    const note =
      `[mcp-guard cut this result to output.maxResultBytes (${max} bytes): ` +
      `it was ${size} bytes; ${cut.notes.join('; ')}]`;
    next[key] = [...cut.kept, noteItem(key, note, items, context.request?.params)];
    // The cut result is mcp-guard's writing: valid in its request's era.
    const out = withResult(message, resultFor(context.request, next));
    return { out, notes: cut.notes, fits: serialisedBytes(out) <= max };
  };
  // What the items carry gets what the rest of the message leaves; escapes in the text (a
  // newline is written as two bytes) can make that too much, and then the largest share that
  // fits is searched for.
  const bare: Record<string, unknown> = { ...result, [key]: [] };
  delete bare.structuredContent;
  const room = max - serialisedBytes(withResult(message, bare));
  let best = attempt(room - NOTE_ROOM);
  if (!best.fits) {
    let low = 0;
    let high = room - NOTE_ROOM - 1;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const tried = attempt(middle);
      if (tried.fits) {
        best = tried;
        low = middle + 1;
      } else high = middle - 1;
    }
  }
  if (!best.fits) return null;
  return {
    action: 'rewrite',
    message: best.out,
    withheld: [
      {
        rule: 'output.maxResultBytes',
        reason: `result cut from ${size} bytes to ${max} (${best.notes.join('; ')})`,
      },
    ],
  };
}

/** Items kept in order while they fit in `budget` bytes of payload, the first that does not cut. */
function cutItems(
  items: readonly unknown[],
  sizes: readonly number[],
  structured: unknown,
  structuredBytes: number,
  budget: number,
): { kept: unknown[]; notes: string[]; dropStructured: boolean } {
  const kept: unknown[] = [];
  const notes: string[] = [];
  const left: string[] = [];
  // structuredContent is kept whole or not at all; it keeps its place only if it fits with
  // every item, else the items come first.
  let room = budget;
  items.forEach((item, i) => {
    const size = sizes[i] ?? 0;
    if (size <= room) {
      kept.push(item);
      room -= size;
      return;
    }
    const cut = room > 0 && isObject(item) ? cutItem(item, room) : undefined;
    if (cut !== undefined) {
      kept.push(cut);
      notes.push(`item ${i + 1} (text) was cut after ${room} of its ${size} bytes`);
      room = 0;
      return;
    }
    left.push(isObject(item) && typeof item.type === 'string' ? item.type : 'item');
  });
  if (left.length > 0) {
    notes.push(
      `${left.length} ${left.length === 1 ? 'item' : 'items'} (${left.join(', ')}) ${left.length === 1 ? 'was' : 'were'} left out`,
    );
  }
  const dropStructured = structured !== undefined && structuredBytes > room;
  if (dropStructured) notes.push('structuredContent was left out');
  return { kept, notes, dropStructured };
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
