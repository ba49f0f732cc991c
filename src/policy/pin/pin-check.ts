/**
 * Pinning (SPEC 6.7): each tool the server lists is compared with its definition in
 * `mcp-guard.lock`. The server's first complete listing — mcp-guard's own, whatever the client
 * lists — is recorded there when the lock has no entry for it (trust on first use). A call is
 * checked against the tool as mcp-guard's own listing knows it; a client's list page, against
 * the definitions that page shows. Later drift — a tool changed, added or removed — is audited
 * once per new definition as `pin.drift` with a readable diff; under `block`, changed and added
 * tools are hidden from tools/list and refused until `mcp-guard pin` approves them, as is every
 * tool whose definition cannot be compared (not listed yet, or a lock that cannot be read).
 */
import { pinDrift, pinLock } from '../../audit/event-constructors.js';
import type { CatalogItem, ServerCatalog } from '../catalog.js';
import { filterList } from '../access.js';
import { quote, type GlobRefusal } from '../globs.js';
import { paramString } from '../message.js';
import type { CheckContext, PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';
import { compareTools } from './compare.js';
import { pinTool, type PinnedTool } from './definition.js';
import { LOCK_NAME, type PinnedTools } from './lock-file.js';
import type { PinStore } from './pin-store.js';

export type PinMode = 'warn' | 'block';

type Loaded = { ok: true; tools: PinnedTools | null } | { ok: false; reason: string };

const APPROVE = 'approve it with `mcp-guard pin`';

export function createPinCheck(mode: PinMode, store: PinStore): PolicyCheck {
  const pins = new WeakMap<CatalogItem, PinnedTool>();
  const reported = new Set<string>();
  const pinOf = (item: CatalogItem, name: string): PinnedTool => {
    let pin = pins.get(item);
    if (pin === undefined) {
      pin = pinTool(item, name);
      pins.set(item, pin);
    }
    return pin;
  };
  const load = (): Loaded => {
    try {
      return { ok: true, tools: store.read() };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  };
  const changeOf = (name: string, item: CatalogItem, tools: PinnedTools) => {
    if (!Object.hasOwn(tools, name)) return 'added' as const;
    return pinOf(item, name).sha256 === tools[name]!.sha256 ? undefined : ('changed' as const);
  };
  const refusal = (name: string, change: 'added' | 'changed'): GlobRefusal => ({
    rule: 'tools.pin',
    reason:
      change === 'added'
        ? `tool ${quote(name)} is not in ${LOCK_NAME} (tools.pin: block); ${APPROVE}`
        : `tool ${quote(name)} changed since it was pinned in ${LOCK_NAME} (tools.pin: block); ${APPROVE}`,
  });
  const once = (key: string, context: CheckContext, write: () => void): void => {
    if (reported.has(key) || context.record === undefined) return;
    reported.add(key);
    write();
  };

  const reportDrift = (catalog: ServerCatalog, tools: PinnedTools, context: CheckContext) => {
    const list = catalog.list('tools');
    for (const drift of compareTools(tools, list.items, list.complete, pinOf)) {
      const { tool, change, diff } = drift;
      once(`${tool}\0${drift.sha256 ?? 'removed'}`, context, () =>
        context.record?.(pinDrift({ tool, change, mode, diff })),
      );
    }
  };

  const firstUse = (catalog: ServerCatalog, context: CheckContext): void => {
    const list = catalog.list('tools');
    if (!list.complete) return;
    const tools: PinnedTools = {};
    for (const [name, item] of list.items) {
      Object.defineProperty(tools, name, { value: pinOf(item, name), enumerable: true });
    }
    try {
      store.write(tools);
      context.record?.(pinLock({ action: 'recorded', file: store.file, tools: list.items.size }));
    } catch (err) {
      once(`\0unwritable`, context, () =>
        context.record?.(
          pinLock({ action: 'unwritable', file: store.file, reason: (err as Error).message }),
        ),
      );
    }
  };

  return {
    name: 'pin',
    check(message, context): Verdict {
      if (context.direction === 'client-to-server') {
        if (mode !== 'block' || message.kind !== 'request' || message.method !== 'tools/call') {
          return PASS;
        }
        const name = paramString(message.params, 'name');
        if (name === undefined) return PASS;
        const loaded = load();
        if (!loaded.ok) return { action: 'deny', ...unreadable(loaded.reason) };
        if (loaded.tools === null) return PASS;
        const item = context.catalog.tool(name);
        if (item === undefined) {
          return {
            action: 'deny',
            rule: 'tools.pin',
            reason: `tool ${quote(name)} has not been listed, so it cannot be compared with ${LOCK_NAME} (tools.pin: block); list the tools first`,
          };
        }
        const change = changeOf(name, item, loaded.tools);
        return change === undefined ? PASS : { action: 'deny', ...refusal(name, change) };
      }
      if (message.kind !== 'response' || context.request?.method !== 'tools/list') return PASS;
      const loaded = load();
      if (!loaded.ok) {
        once(`\0unreadable:${loaded.reason}`, context, () =>
          context.record?.(
            pinLock({ action: 'unreadable', file: store.file, reason: loaded.reason }),
          ),
        );
        if (mode !== 'block') return PASS;
        const denied = unreadable(loaded.reason);
        return filterList(message, 'tools', 'name', () => denied);
      }
      const tools = loaded.tools;
      if (tools === null) {
        firstUse(context.catalog, context);
        return PASS;
      }
      reportDrift(context.catalog, tools, context);
      if (mode !== 'block') return PASS;
      // Each tool is judged as this page shows it: a server may show the client other
      // definitions than it showed mcp-guard's own listing.
      return filterList(message, 'tools', 'name', (name, item) => {
        const change = changeOf(name, item, tools);
        return change === undefined ? undefined : refusal(name, change);
      });
    },
    observeListing(kind, context): void {
      if (kind !== 'tools') return;
      const loaded = load();
      if (!loaded.ok) {
        once(`\0unreadable:${loaded.reason}`, context, () =>
          context.record?.(
            pinLock({ action: 'unreadable', file: store.file, reason: loaded.reason }),
          ),
        );
        return;
      }
      if (loaded.tools === null) firstUse(context.catalog, context);
      else reportDrift(context.catalog, loaded.tools, context);
    },
  };
}

/** Refusals name the lock by its file name: the model needs no path of this machine. */
function unreadable(reason: string): GlobRefusal {
  return {
    rule: 'tools.pin',
    reason: `${LOCK_NAME} cannot be read (${reason}), so no tool can be compared with it (tools.pin: block)`,
  };
}
