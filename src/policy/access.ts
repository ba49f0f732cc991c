/**
 * Method policy (SPEC 6.3): which tools, resources and prompts exist for the client. Denied ones
 * are removed from list results (`tools/list`, `resources/list`, `prompts/list`) (the page's `nextCursor` is kept, so pagination still works)
 * and refused when used: `tools/call`, `prompts/get`, `resources/read` and `resources/subscribe`,
 * a `subscriptions/listen` naming one in `resourceSubscriptions`, and `completion/complete`
 * naming them; a `notifications/resources/updated` for a denied URI is never delivered. `tools.readOnlyOnly` keeps only tools advertised with
 * `readOnlyHint: true`.
 *
 * Unknown names: once the catalog holds a whole walk of the list (in a session, mcp-guard's own,
 * which the relay waits for before a call is checked), a tool or prompt that is not in it is
 * refused; so is every name not in it when mcp-guard's own walk failed or was cut at its bound.
 * Without a walk (a pipeline used on its own) the name goes to the server; the globs still apply.
 * `readOnlyOnly` is stricter: a tool is only admitted once listed with `readOnlyHint: true` — on a
 * list page, as that page shows it. Resources are never "unknown": templates make any URI
 * potentially valid, so only the globs decide.
 */
import type { ServerConfig } from '../config/types.js';
import { isObject, type RpcMessage } from '../protocol/jsonrpc.js';
import type { ListKind, ServerCatalog } from './catalog.js';
import { createGlobDecider, quote, type GlobDecider, type GlobRefusal } from './globs.js';
import { paramString, withResult } from './message.js';
import { kindOf } from './params-shapes.js';
import { stripControl } from './output/strip-control.js';
import type { PolicyCheck } from './pipeline.js';
import { PASS, type Verdict, type Withheld } from './verdict.js';

const LIST_KEY: Readonly<Record<string, { kind: ListKind; key: 'name' | 'uri' }>> = {
  'tools/list': { kind: 'tools', key: 'name' },
  'resources/list': { kind: 'resources', key: 'uri' },
  'prompts/list': { kind: 'prompts', key: 'name' },
};

/** Shown in a `policy.deny` reason: at most this many hidden names. */
const NAMES_SHOWN = 20;

export function createAccessCheck(
  server: Pick<ServerConfig, 'tools' | 'resources' | 'prompts'>,
): PolicyCheck {
  const readOnlyOnly = server.tools.readOnlyOnly;
  const decide: Record<ListKind, GlobDecider> = {
    tools: createGlobDecider(server.tools, 'tools', 'tool'),
    resources: createGlobDecider(server.resources, 'resources', 'resource'),
    prompts: createGlobDecider(server.prompts, 'prompts', 'prompt'),
  };
  /** `item`: the tool as a list page shows it (judged as shown); else as the catalog knows it. */
  const toolRefusal = (
    name: string,
    catalog: ServerCatalog,
    item?: unknown,
  ): GlobRefusal | undefined => {
    const byGlob = decide.tools(name);
    if (byGlob !== undefined) return byGlob;
    const readOnly = item === undefined ? catalog.isReadOnlyTool(name) : isReadOnly(item);
    if (readOnlyOnly && !readOnly) {
      const listed = item !== undefined || catalog.tool(name) !== undefined;
      return {
        rule: 'tools.readOnlyOnly',
        reason: listed
          ? `tool ${quote(name)} is not annotated readOnlyHint: true, and tools.readOnlyOnly is set`
          : `tool ${quote(name)} has not been listed with readOnlyHint: true, and tools.readOnlyOnly is set`,
      };
    }
    return item === undefined ? unknown(catalog, 'tools', name, 'tool') : undefined;
  };
  return {
    name: 'access',
    check(message, context): Verdict {
      if (context.direction === 'client-to-server') {
        if (message.kind !== 'request') return PASS;
        const refusal = refuseRequest(message.method, message.params, context.catalog);
        return refusal === undefined ? PASS : { action: 'deny', ...refusal };
      }
      if (message.kind === 'response') {
        const list = LIST_KEY[context.request?.method ?? ''];
        if (list === undefined) return PASS;
        return filterList(message, list.kind, list.key, (subject, item) =>
          list.kind === 'tools'
            ? toolRefusal(subject, context.catalog, item)
            : decide[list.kind](subject),
        );
      }
      if (message.kind === 'notification' && message.method === 'notifications/resources/updated') {
        const uri = paramString(message.params, 'uri');
        const refusal = uri === undefined ? undefined : decide.resources(uri);
        return refusal === undefined ? PASS : { action: 'deny', ...refusal };
      }
      return PASS;
    },
  };

  function refuseRequest(
    method: string,
    params: unknown,
    catalog: ServerCatalog,
  ): GlobRefusal | undefined {
    switch (method) {
      case 'tools/call': {
        const name = paramString(params, 'name');
        if (name === undefined) return undefined;
        return asShown(name, (shown) => decide.tools(shown)) ?? toolRefusal(name, catalog);
      }
      case 'prompts/get': {
        const name = paramString(params, 'name');
        if (name === undefined) return undefined;
        return (
          asShown(name, (shown) => decide.prompts(shown)) ??
          decide.prompts(name) ??
          unknown(catalog, 'prompts', name, 'prompt')
        );
      }
      case 'resources/read':
      case 'resources/subscribe': {
        const uri = paramString(params, 'uri');
        return uri === undefined ? undefined : decide.resources(uri);
      }
      case 'subscriptions/listen': {
        const notifications = isObject(params) ? params.notifications : undefined;
        const uris = isObject(notifications) ? notifications.resourceSubscriptions : undefined;
        if (!Array.isArray(uris)) return undefined;
        for (const uri of uris) {
          const refusal = typeof uri === 'string' ? decide.resources(uri) : undefined;
          if (refusal !== undefined) return refusal;
        }
        return undefined;
      }
      case 'completion/complete': {
        const ref = isObject(params) ? params.ref : undefined;
        if (!isObject(ref)) return undefined;
        if (ref.type === 'ref/prompt' && typeof ref.name === 'string')
          return decide.prompts(ref.name);
        if (ref.type === 'ref/resource' && typeof ref.uri === 'string')
          return decide.resources(ref.uri);
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

/**
 * Judges a name also as the model is shown it, invisible characters stripped: a call to U+202E +
 * a denied name is refused by the glob the name it reads matches (a list hides such a name the same way).
 */
function asShown(
  name: string,
  refuse: (shown: string) => GlobRefusal | undefined,
): GlobRefusal | undefined {
  const shown = stripControl(name);
  return shown === name ? undefined : refuse(shown);
}

/** A tool or prompt the client's complete, current walk of the list did not include. */
function unknown(
  catalog: ServerCatalog,
  kind: 'tools' | 'prompts',
  name: string,
  noun: string,
): GlobRefusal | undefined {
  if (!catalog.seen(kind)) return undefined;
  const list = catalog.list(kind);
  if (!list.complete || list.stale || list.items.has(name)) return undefined;
  return {
    rule: `${kind}.unknown`,
    reason:
      list.gap === undefined
        ? `the server did not list a ${noun} named ${quote(name)} in ${kind}/list`
        : `mcp-guard has not seen a ${noun} named ${quote(name)} in ${kind}/list (${list.gap})`,
  };
}

function isReadOnly(item: unknown): boolean {
  const annotations = isObject(item) ? item.annotations : undefined;
  return isObject(annotations) && annotations.readOnlyHint === true;
}

/**
 * Removes the refused items from one page of a list result, keeping the page's other members
 * (`nextCursor` included). Unchanged pages pass as they are.
 */
export function filterList(
  message: Extract<RpcMessage, { kind: 'response' }>,
  kind: ListKind,
  key: 'name' | 'uri',
  refuse: (subject: string, item: Record<string, unknown>) => GlobRefusal | undefined,
): Verdict {
  const result = message.result;
  if (!isObject(result) || !Array.isArray(result[kind])) return PASS;
  const items = result[kind] as unknown[];
  const hidden = new Map<string, string[]>();
  const unjudged: string[] = [];
  const kept = items.filter((item) => {
    const subject = isObject(item) ? item[key] : undefined;
    if (typeof subject !== 'string') {
      // No glob can judge a number, an object or an array, and a client may still show it.
      unjudged.push(isObject(item) ? `${key}: ${kindOf(subject)}` : `item: ${kindOf(item)}`);
      return false;
    }
    // Judged as the server wrote it and as the client will see it once invisible characters are
    // stripped: a denied name behind a leading U+202E must not reach the list as that name.
    const shown = stripControl(subject);
    const refusal =
      refuse(subject, item as Record<string, unknown>) ??
      (shown === subject ? undefined : refuse(shown, item as Record<string, unknown>));
    if (refusal === undefined) return true;
    const names = hidden.get(refusal.rule) ?? [];
    names.push(subject);
    hidden.set(refusal.rule, names);
    return false;
  });
  if (hidden.size === 0 && unjudged.length === 0) return PASS;
  const withheld: Withheld[] = [...hidden].map(([rule, names]) => ({
    rule,
    reason: `hidden from ${kind}/list: ${names.slice(0, NAMES_SHOWN).map(quote).join(', ')}${
      names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : ''
    }`,
  }));
  if (unjudged.length > 0) withheld.push(unjudgedItems(kind, key, unjudged));
  return {
    action: 'rewrite',
    message: withResult(message, { ...result, [kind]: kept }),
    withheld,
  };
}

/** The rule of a list item dropped because its name (or URI) is not a string. */
export const LIST_ITEM_RULE = 'list.item';

/**
 * What a list item whose `name` (or `uri`) is not a string is withheld as: no glob can judge it.
 * `found`: what each such item had instead (`name: a number`, `item: a string`).
 */
export function unjudgedItems(kind: ListKind, key: string, found: readonly string[]): Withheld {
  const shown = found.slice(0, NAMES_SHOWN).join(', ');
  const more = found.length > NAMES_SHOWN ? ` and ${found.length - NAMES_SHOWN} more` : '';
  return {
    rule: LIST_ITEM_RULE,
    reason: `hidden from ${kind}/list: ${found.length} item(s) whose ${key} is not a string, which no rule can judge (${shown}${more})`,
  };
}
