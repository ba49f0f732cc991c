/**
 * The starter manifest `mcp-guard init` writes: valid as written (no servers yet), commented so a
 * new user can fill it in without the docs, with the schema line editors complete it from.
 * `starterManifest` is pure; `starterFor` fills in the schema's location and the built-ins.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinProfiles } from './profiles.js';

/** What the starter says about the choice of profile. */
export interface StarterProfile {
  name: string;
  description?: string;
}

export interface StarterOptions {
  /** The profile the manifest names. */
  profile: string;
  /** The built-in profiles, for the comment that lists them. */
  builtins: readonly StarterProfile[];
  /** What the `# yaml-language-server: $schema=` line points at (a path or URL). */
  schema: string;
}

/** Why: a profile name or path as a YAML value; a plain name stays plain, anything else quoted. */
function yamlString(value: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/.test(value) ? value : JSON.stringify(value);
}

/** Why: one text for `init` (and for commands that create a manifest as `init` would). */
export function starterManifest(options: StarterOptions): string {
  const width = Math.max(...options.builtins.map((p) => p.name.length), 0);
  const profiles = options.builtins.map((p) =>
    `#   ${p.name.padEnd(width)}  ${p.description ?? ''}`.trimEnd(),
  );
  return `# yaml-language-server: $schema=${options.schema}
# mcp-guard manifest: the MCP servers mcp-guard starts, confines and filters.
# \`mcp-guard check\` validates it and prints what each server resolves to; \`check --explain\`
# says which layer set each value. Durations: 250ms, 5s, 10m. Sizes: 512KiB, 8MiB.
# Variables: \${workspaceFolder} (this folder), \${userHome}, \${env:NAME}.
version: 1

# The rules under every server: a built-in profile, profiles/NAME.yaml beside this file,
# ~/.config/mcp-guard/profiles/NAME.yaml, or a path. The built-ins:
${profiles.join('\n')}
profile: ${yamlString(options.profile)}

# The audit trail, relative to this folder ("-" = stderr). \`mcp-guard logs\` reads it;
# \`mcp-guard logs --denied\` lists what was refused (or, under observe, would have been).
audit:
  file: .mcp-guard/audit.jsonl
  # bodies: true      # also log message bodies (after redaction)

# Settings merged under every server, over the profile: any server key except command and args.
# defaults:
#   restart: { policy: on-failure, maxRestarts: 5 }
#   limits: { callTimeout: 10m }

# The servers, by name. Each is started without a shell; relative paths are from this folder.
# Add one by hand, or with \`mcp-guard import --write\` from a client's config. For example:
#
#   files:
#     command: npx
#     args: ["-y", "@modelcontextprotocol/server-filesystem", "\${workspaceFolder}"]
#     env: { GITHUB_TOKEN: "\${env:GITHUB_TOKEN}" }   # taken from mcp-guard's environment
#     paths: { deny: ["**/secrets/**"] }              # adds to the profile's denials
#     tools: { deny: [move_file] }
#
# Then point the client at it: \`mcp-guard run files -c <absolute path of this file>\`.
servers: {}
`;
}

/** The schema shipped in this package (the `schema/` folder beside `dist/`). */
const OWN_SCHEMA = fileURLToPath(new URL('../../schema/mcp-guard.schema.json', import.meta.url));
const INSTALLED_SCHEMA = './node_modules/mcp-guard/schema/mcp-guard.schema.json';

/** SPEC 4's order, loosest first; any other built-in after them. */
const ORDER = ['default', 'strict', 'readonly', 'observe'];
const rank = (name: string): number => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

/**
 * Why: the starter for a manifest in `dir` naming `profile`, as `init` writes it (and any command
 * that creates a manifest should). A project with mcp-guard installed gets a schema path that
 * works in every clone; otherwise the schema of the mcp-guard that wrote it.
 */
export function starterFor(profile: string, dir: string): string {
  return starterManifest({
    profile,
    builtins: Object.entries(builtinProfiles())
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([name, { data }]) => ({
        name,
        ...(typeof data.description === 'string' ? { description: data.description } : {}),
      })),
    schema: existsSync(join(dir, INSTALLED_SCHEMA)) ? INSTALLED_SCHEMA : OWN_SCHEMA,
  });
}
