/**
 * The policy pipeline: an ordered list of pure checks, cheapest first, run on every message in
 * both directions. The first denial wins; rewrites feed the next check. With no checks (this
 * release) every message passes untouched and nothing is re-serialised.
 */
import type { RpcMessage } from '../protocol/jsonrpc.js';
import type { ServerCatalog } from './catalog.js';
import { PASS, type Direction, type Verdict } from './verdict.js';

/** What a check may know besides the message itself. */
export interface CheckContext {
  direction: Direction;
  server: string;
  /** For a response: the request it answers (method and params as the client sent them). */
  request?: { method: string; params: unknown };
  /** The client's `initialize` params, once seen. */
  clientInit?: Record<string, unknown>;
  /** What the server advertised (unfiltered), already updated with this message if it is a list. */
  catalog: ServerCatalog;
}

export interface PolicyCheck {
  readonly name: string;
  check(message: RpcMessage, context: CheckContext): Verdict;
}

export interface Pipeline {
  inspect(message: RpcMessage, context: CheckContext): Verdict;
}

/** Builds a pipeline from checks; `observe` logs would-be denials but lets everything pass. */
export function createPipeline(
  checks: readonly PolicyCheck[],
  options: {
    observe?: boolean;
    onWouldDeny?: (verdict: Verdict, message: RpcMessage) => void;
  } = {},
): Pipeline {
  if (checks.length === 0) return { inspect: () => PASS };
  return {
    inspect(message, context) {
      let current = message;
      let rewritten = false;
      for (const check of checks) {
        const verdict = check.check(current, context);
        if (verdict.action === 'deny') {
          if (!options.observe) return verdict;
          options.onWouldDeny?.(verdict, current);
        } else if (verdict.action === 'answer') {
          return verdict;
        } else if (verdict.action === 'rewrite') {
          current = verdict.message;
          rewritten = true;
        }
      }
      return rewritten ? { action: 'rewrite', message: current } : PASS;
    },
  };
}
