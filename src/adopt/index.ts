/**
 * Adopting mcp-guard in front of a client's existing servers: reading each client's config
 * (`import`, `init --from`) and rewriting it to launch through mcp-guard (`install`, `uninstall`).
 */
export {
  importServers,
  type ImportResult,
  type ImportedEntry,
  type SkippedEntry,
} from './import-servers.js';
export { CLIENT_IDS, type ClientId, isClientId } from './client-paths.js';
export type { ServerDraft } from './to-manifest.js';
export { addServers, serversYaml } from './manifest-edit.js';
