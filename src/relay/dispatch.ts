/**
 * One dispatch for both sides of the relay: a frame is parsed and classified once (jsonrpc.ts:
 * request, notification or response, never two), a malformed one is audited and handed to the
 * side's `invalid`, and a message goes to the one handler of its kind.
 */
import type { Frame } from '../protocol/framing.js';
import type { ParseResult, RpcMessage } from '../protocol/jsonrpc.js';
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

export function dispatchFrame(
  relay: Pick<RelayCore, 'parseFrame'>,
  frame: Frame,
  direction: Direction,
  handlers: MessageHandlers,
): void {
  const parsed = relay.parseFrame(frame, direction);
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
