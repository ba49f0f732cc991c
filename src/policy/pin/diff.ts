/**
 * A readable account of how a tool's definition differs from the pinned one, for `pin.drift`
 * records and `mcp-guard pin`: one line per changed leaf, `path: old → new`, values shown as
 * short JSON with invisible characters escaped (a description that gained hidden text shows it).
 */
import { isObject } from '../../protocol/jsonrpc.js';
import { escapeControl } from '../output/strip-control.js';
import { canonicalJson, type ToolDefinition } from './definition.js';

const MAX_LINES = 20;
const MAX_VALUE = 160;
/** Unchanged characters shown on each side of a change in a text. */
const CONTEXT = 24;

/** The lines that tell `before` from `after` (empty when they are the same). */
export function diffDefinitions(before: ToolDefinition, after: ToolDefinition): string[] {
  const lines: string[] = [];
  walk(before, after, '', lines);
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES), `… and ${lines.length - MAX_LINES} more changes`];
}

function walk(before: unknown, after: unknown, path: string, lines: string[]): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const at = path === '' ? key : `${path}.${key}`;
      const had = Object.hasOwn(before, key);
      const has = Object.hasOwn(after, key);
      if (!has) lines.push(`${at}: removed (was ${show(before[key])})`);
      else if (!had) lines.push(`${at}: added ${show(after[key])}`);
      else walk(before[key], after[key], at, lines);
    }
    return;
  }
  if (typeof before === 'string' && typeof after === 'string') {
    if (before !== after) lines.push(`${path}: ${changedText(before, after)}`);
    return;
  }
  if (canonicalJson(before) !== canonicalJson(after)) {
    lines.push(`${path}: ${show(before)} → ${show(after)}`);
  }
}

/** Two texts shown around where they differ, so a long description's change is visible. */
function changedText(before: string, after: string): string {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  ) {
    end++;
  }
  // Cut only where that hides more than a few characters.
  const from = start - CONTEXT > 8 ? start - CONTEXT : 0;
  const excerpt = (text: string): string => {
    const to = end - CONTEXT > 8 ? text.length - end + CONTEXT : text.length;
    const body = escapeControl(JSON.stringify(text.slice(from, to))).slice(1, -1);
    const cut = body.length > MAX_VALUE;
    const shown = cut ? body.slice(0, MAX_VALUE) : body;
    return `"${from > 0 ? '…' : ''}${shown}${cut || to < text.length ? '…' : ''}"`;
  };
  return `${excerpt(before)} → ${excerpt(after)}`;
}

/** A value as short, printable JSON. */
export function show(value: unknown): string {
  const text = escapeControl(canonicalJson(value) ?? 'undefined');
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}
