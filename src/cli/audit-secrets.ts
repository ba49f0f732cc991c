/**
 * What the audit log keeps out of each server's records (SPEC 7, audit/scrub-record.ts): the
 * environment values the server gets or was launched with, and its `output.redact` — the same
 * redaction its output gets, for bodies and stderr alike. Built lazily, once per server.
 */
import type { SecretsLookup, ServerSecrets } from '../audit/scrub-record.js';
import { serverEnv } from '../config/server-env.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { createRedactor } from '../policy/output/redact.js';
import { cleanValue } from '../policy/output/sanitize.js';
import { secretEnvValues } from '../supervisor/mask-env.js';

/** Why: `run`, `up` and `pin` open the log with this lookup. */
export function auditSecrets(
  manifest: ResolvedManifest,
  hostEnv: NodeJS.ProcessEnv,
): SecretsLookup {
  const envOf = (server: ServerConfig) =>
    secretEnvValues(
      serverEnv(server, hostEnv, process.platform),
      [server.command, ...server.args],
      hostEnv,
    );
  return (name): ServerSecrets => {
    const server = manifest.servers[name];
    // A record about no single server: every server's values are kept out of it.
    if (server === undefined) return { env: Object.values(manifest.servers).flatMap(envOf) };
    const redact = createRedactor(server.output.redact);
    return {
      env: envOf(server),
      redactText: redact,
      redactValue: redact === undefined ? undefined : (value) => cleanValue(value, false, redact),
    };
  };
}
