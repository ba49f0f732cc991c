/**
 * Roots (SPEC section 5): with `paths.roots` set, the server is told the client supports roots,
 * and its `roots/list` is answered by mcp-guard with those roots — never by the client, whose own
 * roots must not widen the policy. The client's roots-changed notifications go no further.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isObject, type RpcMessage } from '../protocol/jsonrpc.js';
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
        if (message.kind === 'request' && message.method === 'initialize') {
          return { action: 'rewrite', message: declareRoots(message) };
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

/** The client's initialize, declaring the roots capability (whatever the client declared). */
function declareRoots(message: Extract<RpcMessage, { kind: 'request' }>): RpcMessage {
  const params = isObject(message.params) ? message.params : {};
  const capabilities = isObject(params.capabilities) ? params.capabilities : {};
  const body = {
    ...message.body,
    params: { ...params, capabilities: { ...capabilities, roots: {} } },
  };
  return { ...message, params: body.params, body };
}
