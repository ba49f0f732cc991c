/**
 * `mcp-guard check` output: the resolved configuration as YAML that is itself a valid manifest
 * (durations in ms, sizes in bytes, paths absolute, literal `${` escaped as `$${`).
 */
import type { ResolvedManifest, ServerConfig } from './types.js';
import { escapeVariables } from './variables.js';
import { loadYaml } from './yaml-source.js';

/** Why: a literal `${` must load back as itself, not as a variable. */
export function escapeStrings(value: unknown): unknown {
  if (typeof value === 'string') return escapeVariables(value);
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeStrings(v)]));
  }
  return value;
}

function manifestServer(server: ServerConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(server).filter(([key]) => key !== 'name'));
}

/** Why: `check` and `check --explain` print the same document, in the same key order. */
export function resolvedDocument(m: ResolvedManifest): Record<string, unknown> {
  return {
    version: m.version,
    profile: m.profile,
    audit: m.audit,
    servers: Object.fromEntries(
      Object.entries(m.servers).map(([name, s]) => [name, manifestServer(s)]),
    ),
  };
}

/** Why: the lines above the document say what it is and where state lives. */
export function resolvedHeader(m: ResolvedManifest): string[] {
  return [
    `# Resolved configuration${m.file === null ? ' (ad hoc, no manifest)' : ` of ${m.file}`}`,
    '# Profiles merged and variables expanded; durations in milliseconds, sizes in bytes.',
    `# State folder: ${m.stateDir}`,
  ];
}

/** Why: `check` shows exactly what every command will run with, in a form that can be loaded back. */
export function formatResolved(m: ResolvedManifest): string {
  const header = resolvedHeader(m);
  const body = loadYaml().stringify(escapeStrings(resolvedDocument(m)), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
  return `${header.join('\n')}\n${body}`;
}
