/**
 * One dispatch for both sides of the relay: a frame is parsed and classified once (jsonrpc.ts:
 * request, notification or response, never two), a malformed one is audited and handed to the
 * side's `invalid`, and a message goes to the one handler of its kind.
 */
import type { Frame } from '../protocol/framing.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { parseLine, type ParseResult, type RpcMessage } from '../protocol/jsonrpc.js';
import { sniffId, sniffTrailingId } from '../protocol/sniff-id.js';
import type { Direction } from '../policy/verdict.js';
import type { RelayCore } from './sides.js';

type Of<K extends RpcMessage['kind']> = Extract<RpcMessage, { kind: K }>;

/** What a side does with each kind of message it receives. */
export interface MessageHandlers {
  /** A line that is no valid message (already audited as `rpc.invalid`). */
  invalid(parsed: Extract<ParseResult, { ok: false }>): void;
  request(message: Of<'request'>, bytes: Buffer | null): void;
  notification(message: Of<'notification'>, bytes: Buffer | null): void;
  response(message: Of<'response' | 'error'>, bytes: Buffer | null): void;
}

/** What parsing needs of the relay: the size limit, and where an invalid line is audited. */
type Parser = Pick<RelayCore, 'options' | 'records'>;

export function dispatchFrame(
  relay: Parser,
  frame: Frame,
  direction: Direction,
  handlers: MessageHandlers,
): void {
  const parsed = parseFrame(relay, frame, direction);
  if (!parsed.ok) {
    handlers.invalid(parsed);
    return;
  }
  const message = parsed.message;
  const bytes = frame.kind === 'line' ? frame.bytes : null;
  switch (message.kind) {
    case 'request':
      handlers.request(message, bytes);
      return;
    case 'notification':
      handlers.notification(message, bytes);
      return;
    case 'response':
    case 'error':
      handlers.response(message, bytes);
      return;
  }
}

/** Parses a frame, or audits why it could not be and returns the error to answer with. */
function parseFrame(relay: Parser, frame: Frame, direction: Direction): ParseResult {
  if (frame.kind === 'oversize') {
    const id = sniffId(frame.head.toString('utf8')) ?? sniffTrailingId(frame.tail.toString('utf8'));
    const reason = `message of ${frame.size} bytes exceeds limits.maxMessageBytes (${relay.options.maxMessageBytes})`;
    relay.records.invalid(direction, reason, frame.size, id);
    return { ok: false, code: ErrorCode.MessageTooLarge, id, reason };
  }
  const parsed = parseLine(frame.bytes);
  if (!parsed.ok) relay.records.invalid(direction, parsed.reason, frame.bytes.length, parsed.id);
  return parsed;
}
