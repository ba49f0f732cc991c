/**
 * SPEC 6.4 rate limit: `tools/call` goes through a token bucket for the whole server
 * (`limits.callsPerMinute`) and, for tools named in `tools.rateLimits`, one for that tool too;
 * a call needs a token from each. A refused call takes nothing, and its refusal says how long
 * to wait (`retryAfterMs`). Runs after every other client→server check, so a call refused for
 * another reason uses no token.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import { quote } from './globs.js';
import { paramString } from './message.js';
import type { PolicyCheck } from './pipeline.js';
import { TokenBucket } from './token-bucket.js';
import { PASS, type Verdict } from './verdict.js';

/** Integer milliseconds from a monotonic clock. */
export type Clock = () => number;

export const monotonicMs: Clock = () => Math.floor(performance.now());

export function createRateLimitCheck(
  callsPerMinute: number,
  perTool: Readonly<Record<string, number>>,
  now: Clock = monotonicMs,
): PolicyCheck {
  const server = new TokenBucket(callsPerMinute, now());
  const tools = new Map<string, TokenBucket>();
  const toolBucket = (name: string): TokenBucket | undefined => {
    if (!Object.hasOwn(perTool, name)) return undefined;
    let bucket = tools.get(name);
    if (bucket === undefined) {
      bucket = new TokenBucket(perTool[name]!, now());
      tools.set(name, bucket);
    }
    return bucket;
  };
  return {
    name: 'rate-limit',
    direction: 'client-to-server',
    check(message, context): Verdict {
      if (
        context.direction !== 'client-to-server' ||
        message.kind !== 'request' ||
        message.method !== 'tools/call'
      ) {
        return PASS;
      }
      const name = paramString(message.params, 'name') ?? '';
      const tool = toolBucket(name);
      const at = now();
      const serverWait = server.waitMs(at);
      const toolWait = tool?.waitMs(at) ?? 0;
      if (serverWait === 0 && toolWait === 0) {
        server.take(at);
        tool?.take(at);
        return PASS;
      }
      const retryAfterMs = Math.max(serverWait, toolWait);
      const [rule, budget] =
        toolWait >= serverWait && tool !== undefined
          ? ['tools.rateLimits', `${tool.perMinute} calls per minute of tool ${quote(name)}`]
          : ['limits.callsPerMinute', `${server.perMinute} calls per minute to this server`];
      return {
        action: 'deny',
        rule,
        reason: `the ${budget} are used up; retry after ${retryAfterMs} ms`,
        code: ErrorCode.RateLimited,
        data: { retryAfterMs },
      };
    },
  };
}
