/**
 * `sampling` and `elicitation` (SPEC 3): whether the server may ask the client to run the model
 * (`sampling/createMessage`) or to ask the user (`elicitation/create`). Denied: the server is
 * not told the client can (the capability is taken out of the client's `initialize`, and out of
 * the `_meta` of each stateless-era request), and if it asks anyway it gets a JSON-RPC error; the
 * client never sees the request.
 */
import type { AllowDeny } from '../config/types.js';
import { declaredCapabilities, withCapabilities } from './client-capabilities.js';
import type { PolicyCheck } from './pipeline.js';
import { PASS, type Verdict, type Withheld } from './verdict.js';

const REQUESTS = {
  sampling: 'sampling/createMessage',
  elicitation: 'elicitation/create',
} as const;

type Capability = keyof typeof REQUESTS;

export function createServerRequestsCheck(
  policy: Readonly<Record<Capability, AllowDeny>>,
): PolicyCheck | undefined {
  const denied = (Object.keys(REQUESTS) as Capability[]).filter((c) => policy[c] === 'deny');
  if (denied.length === 0) return undefined;
  const methods = new Map(denied.map((c) => [REQUESTS[c] as string, c]));
  return {
    name: 'server-requests',
    check(message, context): Verdict {
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
      const capabilities = declaredCapabilities(message);
      if (capabilities === undefined) return PASS;
      const present = denied.filter((c) => c in capabilities);
      if (present.length === 0) return PASS;
      const kept = { ...capabilities };
      for (const c of present) delete kept[c];
      const withheld: Withheld[] = present.map((c) => ({
        rule: c,
        reason: `the client's ${c} capability is not declared to the server (${c}: deny)`,
        // Each stateless-era request declares it again: said once.
        ...(message.method === 'initialize' ? {} : { once: true }),
      }));
      return { action: 'rewrite', message: withCapabilities(message, kept), withheld };
    },
  };
}
