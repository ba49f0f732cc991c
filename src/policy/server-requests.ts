/**
 * `sampling` and `elicitation` (SPEC 3): whether the server may ask the client to run the model
 * (`sampling/createMessage`) or to ask the user (`elicitation/create`). Denied: the server is
 * not told the client can (the capability is taken out of the client's `initialize`, and out of
 * the `_meta` of each stateless-era request), and if it asks anyway it gets a JSON-RPC error; the
 * client never sees the request.
 *
 * In the stateless era the server asks inside its result (`inputRequests`), and the client is
 * never asked either: a denied `elicitation/create` is taken out of the result, and the client's
 * retry carries mcp-guard's answer for it, `{action: "decline"}` (the user's "no", which a server
 * can go on from); a denied `sampling/createMessage` has no such answer (a sampling result is the
 * model's reply), so the whole result is refused, as the call would have failed on the
 * JSON-RPC error in the session era. Answers the client puts under those keys never reach the
 * server.
 */
import type { AllowDeny } from '../config/types.js';
import type { RpcMessage } from '../protocol/jsonrpc.js';
import { declaredCapabilities, withCapabilities } from './client-capabilities.js';
import { setOwn } from './message.js';
import {
  isRetry,
  keysOf,
  openRetry,
  readInputRequired,
  responsesOf,
  withResponses,
  withoutInputRequests,
} from './inputs/input-required.js';
import type { RequestStates } from './inputs/request-state.js';
import type { CheckContext, PolicyCheck } from './pipeline.js';
import { PASS, type Verdict, type Withheld } from './verdict.js';

const REQUESTS = {
  sampling: 'sampling/createMessage',
  elicitation: 'elicitation/create',
} as const;

type Capability = keyof typeof REQUESTS;
type Request = Extract<RpcMessage, { kind: 'request' }>;

/** mcp-guard's answer to a denied elicitation inside a result. */
export const DECLINED = Object.freeze({ action: 'decline' });

/** `states`: how a retry's sealed state is opened (without: the stateless exchange is not seen). */
export function createServerRequestsCheck(
  policy: Readonly<Record<Capability, AllowDeny>>,
  states?: RequestStates,
): PolicyCheck | undefined {
  const denied = (Object.keys(REQUESTS) as Capability[]).filter((c) => policy[c] === 'deny');
  if (denied.length === 0) return undefined;
  const methods = new Map(denied.map((c) => [REQUESTS[c] as string, c]));
  return {
    name: 'server-requests',
    check(message, context): Verdict {
      if (message.kind === 'response') return judgeInside(message, context);
      if (message.kind !== 'request') return PASS;
      if (context.direction === 'server-to-client') {
        const capability = methods.get(message.method);
        if (capability === undefined) return PASS;
        return {
          action: 'deny',
          rule: capability,
          reason: `the server may not send ${message.method} (${capability}: deny)`,
        };
      }
      return undeclare(message);
    },
  };

  /** The denied capabilities taken out of what a request declares; a retry's answers settled. */
  function undeclare(message: Request): Verdict {
    const withheld: Withheld[] = [];
    let next = message;
    const capabilities = declaredCapabilities(message);
    const present = capabilities === undefined ? [] : denied.filter((c) => c in capabilities);
    if (capabilities !== undefined && present.length > 0) {
      const kept = { ...capabilities };
      for (const c of present) delete kept[c];
      next = withCapabilities(message, kept);
      for (const c of present) {
        withheld.push({
          rule: c,
          reason: `the client's ${c} capability is not declared to the server (${c}: deny)`,
          // Each stateless-era request declares it again: said once.
          ...(message.method === 'initialize' ? {} : { once: true }),
        });
      }
    }
    const sealed = states !== undefined && isRetry(next) ? openRetry(next, states) : undefined;
    if (sealed !== undefined) {
      const responses = { ...responsesOf(next) };
      let changed = false;
      for (const [key, method] of Object.entries(sealed.asked)) {
        const capability = methods.get(method);
        if (capability === undefined) continue;
        if (Object.hasOwn(responses, key)) {
          withheld.push({
            rule: capability,
            reason: `the client's answer to input request ${JSON.stringify(key)} (${method}) does not reach the server (${capability}: deny)`,
          });
        }
        if (capability === 'elicitation') setOwn(responses, key, DECLINED);
        else delete responses[key];
        changed = true;
      }
      if (changed) next = withResponses(next, responses);
    }
    if (next === message) return PASS;
    return { action: 'rewrite', message: next, ...(withheld.length > 0 ? { withheld } : {}) };
  }

  /** Denied requests inside a stateless result: sampling refuses it, elicitation is declined. */
  function judgeInside(
    message: Extract<RpcMessage, { kind: 'response' }>,
    context: CheckContext,
  ): Verdict {
    if (context.direction !== 'server-to-client') return PASS;
    const reading = readInputRequired(context.request, message);
    if (reading.kind !== 'input_required') return PASS;
    if (methods.has(REQUESTS.sampling)) {
      const [key] = keysOf(reading.requests, REQUESTS.sampling);
      if (key !== undefined) {
        return {
          action: 'deny',
          rule: 'sampling',
          reason: `the server asked for ${REQUESTS.sampling} (input request ${JSON.stringify(key)}) (sampling: deny)`,
        };
      }
    }
    if (!methods.has(REQUESTS.elicitation)) return PASS;
    const keys = keysOf(reading.requests, REQUESTS.elicitation);
    if (keys.length === 0) return PASS;
    return {
      action: 'rewrite',
      message: withoutInputRequests(message, reading, keys),
      withheld: keys.map((key) => ({
        rule: 'elicitation',
        reason: `input request ${JSON.stringify(key)} (${REQUESTS.elicitation}) declined by mcp-guard, the client is not asked (elicitation: deny)`,
      })),
    };
  }
}
