/**
 * The policy pipeline: an ordered list of pure checks, cheapest first, run on every message in
 * both directions. The first denial wins; rewrites feed the next check. Every pipeline starts
 * with the params check (params.ts): a client request whose params lack its method's shape is
 * refused before any other check reads them. A message no check changes passes untouched and
 * nothing is re-serialised.
 *
 * With `observe`, nothing is refused or withheld: each would-be denial, and each thing a rewrite
 * would have withheld, is recorded as `policy.deny` with `enforced: false`, and the message goes
 * on as it was (rewrites that only sanitise, like redaction, still apply). The params check is
 * not policy but the shape every later check relies on: it refuses even then.
 */
import { policyDeny } from '../audit/event-constructors.js';
import type { AuditEvent } from '../audit/events.js';
import { isObject, type RpcMessage } from '../protocol/jsonrpc.js';
import type { ListKind, ServerCatalog } from './catalog.js';
import { createParamsCheck } from './params.js';
import { PASS, type Direction, type Verdict, type Withheld } from './verdict.js';

/** Writes one audit record for this server (the relay's audit log). */
export type RecordEvent = (event: AuditEvent) => void;

/** What a check may know besides the message itself. */
export interface CheckContext {
  direction: Direction;
  server: string;
  /** For a response: the request it answers (method and params as the client sent them). */
  request?: { method: string; params: unknown };
  /** The client's `initialize` params, once seen. */
  clientInit?: Record<string, unknown>;
  /**
   * The message as it came off the wire and the size of its line (newline excluded): a check that
   * is handed this very message knows it goes out as those bytes, unless a check rewrites it.
   */
  received?: { message: RpcMessage; bytes: number };
  /** What the server advertised (unfiltered), already updated with this message if it is a list. */
  catalog: ServerCatalog;
  /**
   * Audits something that is not the verdict itself (a schema that does not compile, pin drift,
   * what `observe` let through). Absent where nothing is recorded (unit tests of one check).
   */
  record?: RecordEvent;
}

export interface PolicyCheck {
  readonly name: string;
  /**
   * The one direction whose messages this check judges; it passes every other message at once,
   * so the pipeline does not ask it. Absent: both directions.
   */
  readonly direction?: Direction;
  check(message: RpcMessage, context: CheckContext): Verdict;
  /** mcp-guard's own walk of a list has just replaced the catalog's list of this kind. */
  observeListing?(kind: ListKind, context: CheckContext): void;
}

export interface Pipeline {
  inspect(message: RpcMessage, context: CheckContext): Verdict;
  /** Tells every check that mcp-guard's own walk of a list has just replaced the catalog's. */
  observeListing(kind: ListKind, context: CheckContext): void;
}

const PARAMS = createParamsCheck();

/** Builds a pipeline from checks (after the params check); `observe` records would-be denials but lets everything pass. */
export function createPipeline(
  checks: readonly PolicyCheck[],
  options: {
    observe?: boolean;
    onWouldDeny?: (verdict: Verdict, message: RpcMessage) => void;
  } = {},
): Pipeline {
  const all = [PARAMS, ...checks];
  const asking = (direction: Direction): readonly PolicyCheck[] =>
    all.filter((check) => check.direction === undefined || check.direction === direction);
  const byDirection: Readonly<Record<Direction, readonly PolicyCheck[]>> = {
    'client-to-server': asking('client-to-server'),
    'server-to-client': asking('server-to-client'),
  };
  const observe = options.observe === true;
  /** The `once` withholdings already recorded. */
  const recorded = new Set<string>();
  const firstTime = (item: Withheld): boolean => {
    if (item.once !== true) return true;
    const key = `${item.rule}\u0000${item.reason}`;
    if (recorded.has(key)) return false;
    recorded.add(key);
    return true;
  };
  return {
    inspect(message, context) {
      let current = message;
      let rewritten = false;
      for (const check of byDirection[context.direction]) {
        const verdict = check.check(current, context);
        if (verdict.action === 'deny') {
          if (!observe || check === PARAMS) return verdict;
          recordDenial(context, verdict, current, false);
          options.onWouldDeny?.(verdict, current);
        } else if (verdict.action === 'answer') {
          return verdict;
        } else if (verdict.action === 'rewrite') {
          const withheld = verdict.withheld ?? [];
          for (const item of withheld) {
            if (firstTime(item)) recordDenial(context, item, current, !observe);
          }
          if (observe && withheld.length > 0) continue;
          current = verdict.message;
          rewritten = true;
        }
      }
      return rewritten ? { action: 'rewrite', message: current } : PASS;
    },
    observeListing(kind, context) {
      for (const check of all) check.observeListing?.(kind, context);
    },
  };
}

/** A `policy.deny` record for what the pipeline decided itself (the relay records refusals). */
function recordDenial(
  context: CheckContext,
  denial: Withheld,
  message: RpcMessage,
  enforced: boolean,
): void {
  if (context.record === undefined) return;
  const method =
    message.kind === 'request' || message.kind === 'notification'
      ? message.method
      : context.request?.method;
  const params = message.kind === 'request' ? message.params : context.request?.params;
  context.record(
    policyDeny({
      rule: denial.rule,
      reason: denial.reason,
      direction: context.direction,
      method,
      id: message.kind === 'notification' ? undefined : message.id,
      tool:
        method === 'tools/call' && isObject(params) && typeof params.name === 'string'
          ? params.name
          : undefined,
      enforced: enforced ? undefined : false,
    }),
  );
}
