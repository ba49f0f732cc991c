/**
 * The pipeline of checks one server's messages go through, built from its resolved
 * configuration. Each check looks only at its own messages and passes the rest at once; the
 * order is cheapest first, and for `tools/call` the rate limit comes last, so a call refused for
 * another reason uses none of the budget.
 */
import type { ServerConfig } from '../config/types.js';
import { createAccessCheck } from './access.js';
import { createResultSizeChecks } from './output/result-size.js';
import { createResultTypeCheck } from './output/result-type.js';
import { createSanitizeCheck } from './output/sanitize.js';
import {
  createInputSealCheck,
  createInputShapeCheck,
  createInputUnsealCheck,
} from './inputs/input-checks.js';
import { createRequestStates } from './inputs/request-state.js';
import { createPipeline, type Pipeline, type PolicyCheck } from './pipeline.js';
import { createServerPathChecks } from './paths/paths-check.js';
import { createPinCheck } from './pin/pin-check.js';
import { lockFileFor } from './pin/lock-file.js';
import { createFilePinStore } from './pin/pin-store.js';
import { createRateLimitCheck, type Clock } from './rate-limit.js';
import { createRootsCheck } from './roots.js';
import { createArgumentsCheck } from './schema/arguments.js';
import { createSchemaCompiler } from './schema/compiler.js';
import { createOutputSchemaCheck } from './schema/output-schema.js';
import { ToolSchemas } from './schema/tool-schemas.js';
import { createServerRequestsCheck } from './server-requests.js';

export interface ServerPipelineOptions {
  /** The manifest, whose `mcp-guard.lock` pins tools; without one (ad hoc) nothing is pinned. */
  manifestFile?: string | null;
  /** Record what would be refused or withheld, and refuse nothing (the `observe` profile). */
  observe?: boolean;
  /** Integer milliseconds, monotonic (the rate limit's clock). */
  clock?: Clock;
}

/** One ajv for every server of this process, loaded on first need. */
const compiler = createSchemaCompiler();

export function createServerPipeline(
  server: ServerConfig,
  options: ServerPipelineOptions = {},
): Pipeline {
  return createPipeline(serverChecks(server, options), { observe: options.observe === true });
}

/** The checks of the server's pipeline, in order (after the params check every pipeline has). */
export function serverChecks(
  server: ServerConfig,
  options: ServerPipelineOptions = {},
): PolicyCheck[] {
  const checks: PolicyCheck[] = [];
  const add = (check: PolicyCheck | undefined): void => {
    if (check !== undefined) checks.push(check);
  };
  const schemas = new ToolSchemas(compiler);
  // The stateless era's input requests: judged as a whole, sealed, then the rules, then unsealed.
  const states = createRequestStates();
  add(createInputShapeCheck());
  add(createInputSealCheck(states));
  if (server.paths.roots.length > 0) add(createRootsCheck(server.paths.roots, states));
  add(createServerRequestsCheck(server, states));
  add(createInputUnsealCheck(states));
  add(createAccessCheck(server));
  const manifest = options.manifestFile ?? null;
  if (server.tools.pin !== 'off' && manifest !== null) {
    const store = createFilePinStore(lockFileFor(manifest), server.name);
    add(createPinCheck(server.tools.pin, store));
  }
  add(createArgumentsCheck(schemas));
  for (const check of createServerPathChecks(server)) add(check);
  add(createRateLimitCheck(server.limits.callsPerMinute, server.tools.rateLimits, options.clock));
  // An answer too large with nothing to cut is refused before anything walks it.
  const sizes = createResultSizeChecks(server.output.maxResultBytes);
  add(sizes.first);
  add(createOutputSchemaCheck(schemas));
  add(createSanitizeCheck(server.output));
  add(createResultTypeCheck());
  add(sizes.last);
  return checks;
}
