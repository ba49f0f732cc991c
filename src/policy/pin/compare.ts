/**
 * How a server's current tools differ from its pinned ones: per tool, added, changed or removed,
 * with a readable diff. Used by the pin check (to audit drift) and by `mcp-guard pin`.
 */
import type { CatalogItem } from '../catalog.js';
import { definitionFromPin, definitionOf, pinTool, type PinnedTool } from './definition.js';
import { diffDefinitions } from './diff.js';
import type { PinnedTools } from './lock-file.js';

export type PinChange = 'added' | 'changed' | 'removed';

export interface ToolDrift {
  tool: string;
  change: PinChange;
  /** The current definition's hash (absent for a removed tool). */
  sha256?: string;
  diff: string[];
}

/**
 * The drift of `current` from `pinned`. `complete`: `current` is the whole list (only then can a
 * pinned tool missing from it be called removed). `pinOf` may cache pins per item.
 */
export function compareTools(
  pinned: PinnedTools,
  current: ReadonlyMap<string, CatalogItem>,
  complete: boolean,
  pinOf: (item: CatalogItem, name: string) => PinnedTool = (item, name) => pinTool(item, name),
): ToolDrift[] {
  const drift: ToolDrift[] = [];
  for (const [name, item] of current) {
    const pin = pinOf(item, name);
    const before = Object.hasOwn(pinned, name) ? pinned[name] : undefined;
    if (before !== undefined && before.sha256 === pin.sha256) continue;
    const diff = diffDefinitions(
      before === undefined ? { name } : definitionFromPin(name, before),
      definitionOf(item, name),
    );
    drift.push({
      tool: name,
      change: before === undefined ? 'added' : 'changed',
      sha256: pin.sha256,
      diff,
    });
  }
  if (!complete) return drift;
  for (const name of Object.keys(pinned)) {
    if (!current.has(name)) drift.push({ tool: name, change: 'removed', diff: ['removed'] });
  }
  return drift;
}
