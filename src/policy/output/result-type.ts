/**
 * A stateless-era result the policy edited (a list filtered, a result redacted or cut) is written
 * by mcp-guard as much as by the server: it carries `resultType` like every result of that era
 * (protocol/result-type.ts). One the server wrote and no check changed passes exactly as written.
 * Runs after every check that rewrites a result except the last size check, which measures (and
 * cuts) the result with it.
 */
import { resultFor } from '../../protocol/result-type.js';
import { withResult } from '../message.js';
import type { PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';

export function createResultTypeCheck(): PolicyCheck {
  return {
    name: 'result-type',
    direction: 'server-to-client',
    check(message, context): Verdict {
      if (context.direction !== 'server-to-client' || message.kind !== 'response') return PASS;
      // Unchanged since it came off the wire: the server's own result, left as it is.
      if (context.received?.message === message) return PASS;
      const result = resultFor(context.request, message.result);
      return result === message.result
        ? PASS
        : { action: 'rewrite', message: withResult(message, result) };
    },
  };
}
