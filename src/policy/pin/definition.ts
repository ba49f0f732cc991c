/**
 * What pinning compares (SPEC 6.7): a tool's name, description, inputSchema and annotations, as
 * the server advertised them. Hashed as canonical JSON (keys sorted at every level, no spaces),
 * so the same definition always has the same hash whatever order the server writes keys in.
 */
import { createRequire } from 'node:module';
import { isObject } from '../../protocol/jsonrpc.js';

/** The pinned parts of one tool. */
export interface ToolDefinition {
  name: string;
  description?: unknown;
  inputSchema?: unknown;
  annotations?: unknown;
}

/** A tool as the lock keeps it: its definition (without the name, which is the key) and hash. */
export interface PinnedTool {
  sha256: string;
  description?: unknown;
  inputSchema?: unknown;
  annotations?: unknown;
}

const PINNED_KEYS = ['description', 'inputSchema', 'annotations'] as const;

/** The pinned parts of an advertised tool object. */
export function definitionOf(item: Record<string, unknown>, name: string): ToolDefinition {
  const definition: ToolDefinition = { name };
  for (const key of PINNED_KEYS) if (item[key] !== undefined) definition[key] = item[key];
  return definition;
}

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(out, key, {
      value: sortKeys(value[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** node:crypto, loaded at the first hash (tools are listed after the handshake). */
let crypto: typeof import('node:crypto') | undefined;

export function hashDefinition(definition: ToolDefinition): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** The lock entry for an advertised tool. */
export function pinTool(item: Record<string, unknown>, name: string): PinnedTool {
  const definition = definitionOf(item, name);
  const pinned: PinnedTool = { sha256: hashDefinition(definition) };
  for (const key of PINNED_KEYS) if (definition[key] !== undefined) pinned[key] = definition[key];
  return pinned;
}

/** The definition a lock entry records (for diffs). */
export function definitionFromPin(name: string, pinned: PinnedTool): ToolDefinition {
  const definition: ToolDefinition = { name };
  for (const key of PINNED_KEYS) if (pinned[key] !== undefined) definition[key] = pinned[key];
  return definition;
}
