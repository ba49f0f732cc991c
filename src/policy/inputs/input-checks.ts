/**
 * The checks around the stateless era's input requests (SPEC 6.3; docs/policy.md, "Input
 * requests"), in pipeline order around the two that apply the rules to them (roots.ts: answered
 * from `paths.roots`; server-requests.ts: `sampling` and `elicitation`):
 *
 * - `input-shape`: an `input_required` result that cannot be judged (an `inputRequests` that is
 *   no object, an embedded request of another method, a `requestState` that is no string) is
 *   refused; members an InputRequiredResult does not have (content a client could show as a final
 *   result) are removed, and those a task waiting for input does not have (a `result`, an
 *   `error`); so is an `inputRequests` on a result that does not ask for input, and all but the
 *   task's own members on a task handle (`resultType: "task"`).
 * - `input-seal`: the result's `requestState` becomes mcp-guard's sealed one (request-state.ts),
 *   naming every request the server made (a task's are remembered by its id); a retry's or a
 *   `tasks/update`'s answers to anything else are dropped.
 * - `input-unseal` (after the rules): a request the client did not declare the capability for is
 *   refused, as the server must not make it; a retry gets the server's own `requestState` back.
 */
import { isObject, type RpcMessage } from '../../protocol/jsonrpc.js';
import { RESULT_INPUT_REQUIRED, isStatelessRequest } from '../../protocol/result-type.js';
import { capabilitiesOf } from '../client-capabilities.js';
import { setOwn, withParams, withResult } from '../message.js';
import type { PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';
import {
  INPUT_CAPABILITY,
  INPUT_REQUIRED_MEMBERS,
  TASK_INPUT_MEMBERS,
  TASK_MEMBERS,
  isRetry,
  openRetry,
  readInputRequired,
  responsesOf,
  subjectOf,
  withResponses,
} from './input-required.js';
import type { RequestStates } from './request-state.js';

export const INPUTS_RULE = 'inputRequests';

type Response = Extract<RpcMessage, { kind: 'response' }>;

export function createInputShapeCheck(): PolicyCheck {
  return {
    name: 'input-shape',
    direction: 'server-to-client',
    check(message, context): Verdict {
      if (context.direction !== 'server-to-client' || message.kind !== 'response') return PASS;
      const request = context.request;
      if (request === undefined || !isObject(message.result)) return PASS;
      const result = message.result;
      const reading = readInputRequired(request, message);
      if (reading.kind === 'malformed') {
        return {
          action: 'deny',
          rule: INPUTS_RULE,
          reason: `the server's input_required result cannot be judged: ${reading.reason}`,
        };
      }
      if (reading.kind === 'none') {
        if (!isStatelessRequest(request)) return PASS;
        if (result.resultType === 'task' && request.method !== 'tasks/get') {
          // An SDK may give a handle the empty `content` of a tool result: it carries nothing.
          const empty = Array.isArray(result.content) && result.content.length === 0;
          const kept = empty ? new Set([...TASK_MEMBERS, 'content']) : TASK_MEMBERS;
          return withoutMembers(message, kept, 'a task handle carries only its task');
        }
        if (!Object.hasOwn(result, 'inputRequests')) return PASS;
        const next = { ...result };
        delete next.inputRequests;
        return {
          action: 'rewrite',
          message: withResult(message, next),
          withheld: [
            {
              rule: INPUTS_RULE,
              reason: `a result that asks for no input (resultType "${RESULT_INPUT_REQUIRED}", or a task's status "input_required") carries no inputRequests: removed`,
            },
          ],
        };
      }
      return reading.task === undefined
        ? withoutMembers(
            message,
            INPUT_REQUIRED_MEMBERS,
            'an input_required result carries only inputRequests and requestState',
          )
        : withoutMembers(message, TASK_INPUT_MEMBERS, 'a task waiting for input carries no result');
    },
  };
}

/** The response without the members of its result not in `kept` (PASS when it has none). */
function withoutMembers(message: Response, kept: ReadonlySet<string>, why: string): Verdict {
  const result = message.result as Record<string, unknown>;
  const extra = Object.keys(result).filter((key) => !kept.has(key));
  if (extra.length === 0) return PASS;
  const next = { ...result };
  for (const key of extra) delete next[key];
  return {
    action: 'rewrite',
    message: withResult(message, next),
    withheld: [
      {
        rule: INPUTS_RULE,
        reason: `${why}: removed ${extra.map((k) => JSON.stringify(k)).join(', ')}`,
      },
    ],
  };
}

export function createInputSealCheck(states: RequestStates): PolicyCheck {
  return {
    name: 'input-seal',
    check(message, context): Verdict {
      if (context.direction === 'client-to-server') {
        if (!isRetry(message)) return PASS;
        const sealed = openRetry(message, states);
        const responses = responsesOf(message);
        const unasked = Object.keys(responses).filter(
          (key) => sealed === undefined || !Object.hasOwn(sealed.asked, key),
        );
        if (unasked.length === 0) return PASS;
        const kept = { ...responses };
        for (const key of unasked) delete kept[key];
        return {
          action: 'rewrite',
          message: withResponses(message, kept),
          withheld: [
            {
              rule: 'inputResponses',
              reason: `answers to input requests the server did not make: ${unasked.map((k) => JSON.stringify(k)).join(', ')}`,
            },
          ],
        };
      }
      const request = context.request;
      const reading = readInputRequired(request, message);
      if (reading.kind !== 'input_required' || request === undefined) return PASS;
      if (message.kind !== 'response') return PASS;
      const asked: Record<string, string> = {};
      for (const [key, entry] of Object.entries(reading.requests)) setOwn(asked, key, entry.method);
      if (reading.task !== undefined) {
        states.remember(reading.task, asked);
        return PASS;
      }
      if (Object.keys(asked).length === 0 && reading.state === undefined) return PASS;
      const subject = subjectOf(request.method, request.params);
      const requestState = states.seal({
        method: request.method,
        ...(subject === undefined ? {} : { subject }),
        asked,
        ...(reading.state === undefined ? {} : { state: reading.state }),
      });
      return {
        action: 'rewrite',
        message: withResult(message, { ...reading.result, requestState }),
      };
    },
  };
}

export function createInputUnsealCheck(states: RequestStates): PolicyCheck {
  return {
    name: 'input-unseal',
    check(message, context): Verdict {
      if (context.direction === 'client-to-server') {
        if (!isRetry(message)) return PASS;
        const params = message.params as Record<string, unknown>;
        const sealed = states.open(params.requestState);
        if (sealed === undefined) return PASS;
        const next = { ...params };
        if (sealed.state === undefined) delete next.requestState;
        else next.requestState = sealed.state;
        return { action: 'rewrite', message: withParams(message, next) };
      }
      const request = context.request;
      const reading = readInputRequired(request, message);
      if (reading.kind !== 'input_required' || request === undefined) return PASS;
      const declared = capabilitiesOf(request.method, request.params);
      for (const [key, entry] of Object.entries(reading.requests)) {
        const capability = INPUT_CAPABILITY[entry.method] ?? '';
        if (declared !== undefined && capability in declared) continue;
        return {
          action: 'deny',
          rule: 'client-capability',
          reason: `the server asked for ${entry.method} (input request ${JSON.stringify(key)}), but the request did not declare the '${capability}' capability`,
        };
      }
      return PASS;
    },
  };
}
