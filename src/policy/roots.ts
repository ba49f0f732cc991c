/**
 * Roots (SPEC section 5): with `paths.roots` set, the server is told the client supports roots
 * (in the client's `initialize`, and in the `_meta` of each stateless-era request), and its
 * `roots/list` is answered by mcp-guard with those roots — never by the client, whose own roots
 * must not widen the policy. The client's roots-changed notifications go no further.
 *
 * In the stateless era the server asks inside its result (`inputRequests`): those `roots/list`
 * requests are taken out of the result before the client sees it, and the client's retry carries
 * mcp-guard's answer for each of them (whatever the client put under that key), found through the
 * sealed `requestState` (inputs/request-state.ts).
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rpcRequest } from '../audit/event-constructors.js';
import { type RpcMessage } from '../protocol/jsonrpc.js';
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
import { PASS, type Verdict } from './verdict.js';

const ROOTS = 'roots/list';

/** `states`: how a retry's sealed state is opened (without: the stateless exchange is not seen). */
export function createRootsCheck(roots: readonly string[], states?: RequestStates): PolicyCheck {
  const result = {
    roots: roots.map((root) => ({ uri: pathToFileURL(root).href, name: basename(root) || root })),
  };
  return {
    name: 'roots',
    check(message, context): Verdict {
      if (context.direction === 'client-to-server') {
        if (message.kind === 'request') return declareAndAnswer(message);
        if (
          message.kind === 'notification' &&
          message.method === 'notifications/roots/list_changed'
        ) {
          return {
            action: 'deny',
            rule: 'roots',
            reason: "the manifest's paths.roots are the server's roots",
          };
        }
        return PASS;
      }
      if (message.kind === 'request' && message.method === ROOTS) {
        return { action: 'answer', rule: 'roots', result };
      }
      return answerInside(message, context);
    },
  };

  /** A request declares roots; a retry carries mcp-guard's roots for each roots/list asked. */
  function declareAndAnswer(message: Extract<RpcMessage, { kind: 'request' }>): Verdict {
    const declared = declaredCapabilities(message);
    let next =
      declared === undefined ? message : withCapabilities(message, { ...declared, roots: {} });
    const sealed = states !== undefined && isRetry(next) ? openRetry(next, states) : undefined;
    if (sealed !== undefined) {
      const keys = Object.keys(sealed.asked).filter((key) => sealed.asked[key] === ROOTS);
      if (keys.length > 0) {
        const responses = { ...responsesOf(next) };
        for (const key of keys) setOwn(responses, key, result);
        next = withResponses(next, responses);
      }
    }
    return next === message ? PASS : { action: 'rewrite', message: next };
  }

  /** The roots/list requests inside a stateless result, answered here (audited as answered). */
  function answerInside(message: RpcMessage, context: CheckContext): Verdict {
    const reading = readInputRequired(context.request, message);
    if (reading.kind !== 'input_required' || message.kind !== 'response') return PASS;
    const keys = keysOf(reading.requests, ROOTS);
    if (keys.length === 0) return PASS;
    for (const key of keys) {
      context.record?.(
        rpcRequest({
          method: ROOTS,
          id: key,
          direction: 'server-to-client',
          answeredBy: 'mcp-guard',
          rule: 'roots',
        }),
      );
    }
    return { action: 'rewrite', message: withoutInputRequests(message, reading, keys) };
  }
}
