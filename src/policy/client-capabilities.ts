/**
 * Where a client request declares the client's capabilities, in either era: the session era's
 * `initialize` in `params.capabilities`, once for the session; the stateless era's requests each in
 * `params._meta["io.modelcontextprotocol/clientCapabilities"]`. The policy edits them in both
 * places alike (sampling and elicitation taken out when denied, roots declared for
 * `paths.roots`), so a server is told the same whichever era the client speaks.
 */
import { META_CLIENT_CAPABILITIES, requestMeta } from '../protocol/era.js';
import { isObject, type RpcMessage } from '../protocol/jsonrpc.js';
import { isStatelessRequest } from '../protocol/result-type.js';
import { withParams } from './message.js';

type Request = Extract<RpcMessage, { kind: 'request' }>;

/**
 * Whether this request declares the client's capabilities (an `initialize`, or any request of the
 * stateless era), and what it declares (an empty object when it carries none, or not an object).
 */
export function declaredCapabilities(message: Request): Record<string, unknown> | undefined {
  return capabilitiesOf(message.method, message.params);
}

/** What a request of this method with these params declares (see declaredCapabilities). */
export function capabilitiesOf(
  method: string,
  params: unknown,
): Record<string, unknown> | undefined {
  if (method === 'initialize') {
    const capabilities = isObject(params) ? params.capabilities : undefined;
    return isObject(capabilities) ? capabilities : {};
  }
  if (!isStatelessRequest({ method, params })) return undefined;
  const declared = requestMeta(params)?.[META_CLIENT_CAPABILITIES];
  return isObject(declared) ? declared : {};
}

/** The same request declaring `capabilities` instead, wherever its era declares them. */
export function withCapabilities(message: Request, capabilities: Record<string, unknown>): Request {
  const params = isObject(message.params) ? message.params : {};
  if (message.method === 'initialize') return withParams(message, { ...params, capabilities });
  const meta = requestMeta(params) ?? {};
  return withParams(message, {
    ...params,
    _meta: { ...meta, [META_CLIENT_CAPABILITIES]: capabilities },
  });
}
