/**
 * Roots (SPEC section 5): with `paths.roots` set, the server is told the client supports roots
 * (in the client's `initialize`, and in the `_meta` of each stateless-era request), and its
 * `roots/list` is answered by mcp-guard with those roots — never by the client, whose own roots
 * must not widen the policy. The client's roots-changed notifications go no further.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { declaredCapabilities, withCapabilities } from './client-capabilities.js';
import type { PolicyCheck } from './pipeline.js';
import { PASS, type Verdict } from './verdict.js';

export function createRootsCheck(roots: readonly string[]): PolicyCheck {
  const result = {
    roots: roots.map((root) => ({ uri: pathToFileURL(root).href, name: basename(root) || root })),
  };
  return {
    name: 'roots',
    check(message, context): Verdict {
      if (context.direction === 'client-to-server') {
        if (message.kind === 'request') {
          const declared = declaredCapabilities(message);
          if (declared === undefined) return PASS;
          return {
            action: 'rewrite',
            message: withCapabilities(message, { ...declared, roots: {} }),
          };
        }
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
      if (message.kind === 'request' && message.method === 'roots/list') {
        return { action: 'answer', rule: 'roots', result };
      }
      return PASS;
    },
  };
}
