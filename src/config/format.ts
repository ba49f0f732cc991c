/**
 * `mcp-guard check` output: the resolved configuration as YAML that is itself a valid manifest
 * (durations in ms, sizes in bytes, paths absolute, literal `${` escaped as `$${`).
 */
import type { ResolvedManifest, ServerConfig } from './types.js';
import { escapeVariables } from './variables.js';
import { loadYaml } from './yaml-source.js';

function escapeStrings(value: unknown): unknown {
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

/** Why: `check` shows exactly what every command will run with, in a form that can be loaded back. */
export function formatResolved(m: ResolvedManifest): string {
  const document = {
    version: m.version,
    profile: m.profile,
    audit: m.audit,
    servers: Object.fromEntries(
      Object.entries(m.servers).map(([name, s]) => [name, manifestServer(s)]),
    ),
  };
  const header = [
    `# Resolved configuration${m.file === null ? ' (ad hoc, no manifest)' : ` of ${m.file}`}`,
    '# Profiles merged and variables expanded; durations in milliseconds, sizes in bytes.',
    `# State folder: ${m.stateDir}`,
  ];
  const body = loadYaml().stringify(escapeStrings(document), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
  return `${header.join('\n')}\n${body}`;
}
