/**
 * `output.stripControl` and `output.redact` (SPEC 6.6) on every string a server's message can
 * bring to the model (clean-text.ts says which): results, errors, list results with their
 * schemas, and the server's own requests and notifications. A message with nothing to clean
 * passes as the server wrote it.
 *
 * Redaction also reads the message's string values in document order as one text (keys and the
 * labels `type`, `role` and `mimeType` left out), so a secret split across adjacent values —
 * content items, the strings of an array, a text and the `_meta` after it — is found: the first
 * piece gets the marker, the rest of the secret is removed from the pieces after it. Pieces with
 * other text between them are not joined (docs/policy.md).
 *
 * The `requestState` of a stateless-era `input_required` result is a token the client hands back
 * without showing it, and is left as it is.
 */
import type { RpcMessage } from '../../protocol/jsonrpc.js';
import { isInputRequired } from '../../protocol/result-type.js';
import { withResult } from '../message.js';
import type { PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';
import { mapStrings } from './clean-text.js';
import { applySpans, createRedactor, type Redact, type Span } from './redact.js';
import { stripControl } from './strip-control.js';

export function createSanitizeCheck(output: {
  stripControl: boolean;
  redact: readonly string[];
}): PolicyCheck | undefined {
  const redact = createRedactor(output.redact);
  const strip = output.stripControl;
  if (!strip && redact === undefined) return undefined;
  const clean = (value: unknown): unknown => cleanValue(value, strip, redact);
  return {
    name: 'sanitize',
    direction: 'server-to-client',
    check(message, context): Verdict {
      if (context.direction !== 'server-to-client') return PASS;
      const next =
        message.kind === 'response' && isInputRequired(context.request, message.result)
          ? cleanKeepingState(message, clean)
          : cleanMessage(message, clean);
      return next === message ? PASS : { action: 'rewrite', message: next };
    },
  };
}

function cleanMessage(message: RpcMessage, clean: (value: unknown) => unknown): RpcMessage {
  switch (message.kind) {
    case 'response': {
      const result = clean(message.result);
      return result === message.result
        ? message
        : { ...message, result, body: { ...message.body, result } };
    }
    case 'error': {
      const error = clean(message.error) as typeof message.error;
      return error === message.error
        ? message
        : { ...message, error, body: { ...message.body, error } };
    }
    case 'request':
    case 'notification': {
      const params = clean(message.params) as typeof message.params;
      return params === message.params
        ? message
        : { ...message, params, body: { ...message.body, params } };
    }
  }
}

/**
 * A stateless `input_required` result's `requestState` is the token the client echoes, never
 * shown (mcp-guard's sealed one by then): cleaned, it would no longer open. The rest is cleaned.
 */
function cleanKeepingState(message: RpcMessage, clean: (value: unknown) => unknown): RpcMessage {
  const result = message.body.result as Record<string, unknown>;
  const { requestState, ...rest } = result;
  const cleaned = clean(rest);
  if (cleaned === rest) return message;
  const next = { ...(cleaned as Record<string, unknown>), requestState };
  if (requestState === undefined) delete next.requestState;
  return withResult(message as Extract<RpcMessage, { kind: 'response' }>, next);
}

/** `value` with its output strings stripped and redacted (the same value if none changed). */
export function cleanValue(value: unknown, strip: boolean, redact: Redact | undefined): unknown {
  const texts: string[] = [];
  const values: number[] = [];
  let changed = false;
  let binary = false;
  mapStrings(value, (text, kind) => {
    if (kind === 'binary') {
      binary = true;
      return text;
    }
    if (kind === 'text') values.push(texts.length);
    const stripped = strip ? stripControl(text) : text;
    if (stripped !== text) changed = true;
    texts.push(stripped);
    return text;
  });
  const finals = redact === undefined ? texts : redactJoined(texts, values, redact);
  // Nothing stripped, nothing redacted, no payload to look into: the value as it came.
  if (!changed && !(binary && redact !== undefined) && sameTexts(finals, texts)) return value;
  let next = 0;
  return mapStrings(value, (text, kind) => {
    if (kind === 'binary') return redact === undefined ? text : redactBase64(text, redact);
    const out = finals[next++] ?? text;
    return out === text ? text : out;
  });
}

/**
 * Each text redacted alone; and the texts at `joined` (indices, in order) read as one text for
 * secrets written out plain (a secret split across them). Encodings are looked into per string.
 */
export function redactJoined(
  texts: readonly string[],
  joined: readonly number[],
  redact: Redact,
): string[] {
  const spans: Span[][] = [];
  for (const text of texts) spans.push(redact.find(text));
  if (joined.length > 1) {
    const starts: number[] = [];
    let length = 0;
    for (const index of joined) {
      starts.push(length);
      length += texts[index]!.length;
    }
    for (const span of redact.findPlain(joined.map((index) => texts[index]!).join(''))) {
      let j = holder(starts, span.start);
      let marker = span.marker;
      for (; j < joined.length && starts[j]! < span.end; j++) {
        const index = joined[j]!;
        const from = Math.max(span.start - starts[j]!, 0);
        const to = Math.min(span.end - starts[j]!, texts[index]!.length);
        if (to <= from) continue;
        spans[index]!.push({ start: from, end: to, marker });
        marker = '';
      }
    }
  }
  const out: string[] = [];
  for (let i = 0; i < texts.length; i++) out.push(applySpans(texts[i]!, spans[i]!));
  return out;
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The index of the last text starting at or before `offset` (binary search). */
function holder(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** A base64 payload with the secrets in its decoded bytes replaced (re-encoded only if any). */
function redactBase64(data: string, redact: Redact): string {
  const bytes = Buffer.from(data, 'base64').toString('latin1');
  const spans = redact.findPlain(bytes);
  if (spans.length === 0) return data;
  return Buffer.from(applySpans(bytes, spans), 'latin1').toString('base64');
}
