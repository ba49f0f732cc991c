/**
 * Class 3 of the hostile-input work: a request whose params do not have the shape its method
 * requires is refused before any other check looks at it (-32602 invalid params, a JSON-RPC
 * error whatever the method), so no check can skip a non-string `name` or `uri` that the server
 * would still act on. Client notifications mcp-guard or the server act on are held to their
 * shapes too, and dropped otherwise. Methods MCP does not define pass (other checks decide).
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { RpcMessage } from '../protocol/jsonrpc.js';
import { NOTIFICATION_PARAMS, REQUEST_PARAMS, isPlainObject } from './params-shapes.js';
import type { PolicyCheck } from './pipeline.js';
import { PASS, type Verdict } from './verdict.js';

export const PARAMS_RULE = 'params';

/** Why: the problem with a client message's params, or undefined when they have their shape. */
export function paramsProblem(message: RpcMessage): string | undefined {
  if (message.kind !== 'request' && message.kind !== 'notification') return undefined;
  const table = message.kind === 'request' ? REQUEST_PARAMS : NOTIFICATION_PARAMS;
  if (!Object.hasOwn(table, message.method)) return undefined;
  const shape = table[message.method]!;
  const params: unknown = message.params;
  if (params === undefined) {
    return shape.optional ? undefined : `${message.method} requires params`;
  }
  if (!isPlainObject(params)) return `params of ${message.method} must be an object`;
  const problem = shape.check(params, 'params');
  return problem === undefined ? undefined : `${message.method}: ${problem}`;
}

export function createParamsCheck(): PolicyCheck {
  return {
    name: PARAMS_RULE,
    direction: 'client-to-server',
    check(message, context): Verdict {
      if (context.direction !== 'client-to-server') return PASS;
      const problem = paramsProblem(message);
      if (problem === undefined) return PASS;
      return {
        action: 'deny',
        rule: PARAMS_RULE,
        reason: problem,
        code: ErrorCode.InvalidParams,
        invalid: true,
      };
    },
  };
}
