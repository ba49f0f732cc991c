/**
 * The pipeline of checks one server's messages go through, built from its resolved
 * configuration. Checks join here, cheapest first, as the policy grows.
 */
import type { ServerConfig } from '../config/types.js';
import { createPipeline, type Pipeline, type PolicyCheck } from './pipeline.js';
import { createServerPathChecks } from './paths/paths-check.js';
import { createRootsCheck } from './roots.js';

export function createServerPipeline(server: ServerConfig): Pipeline {
  const checks: PolicyCheck[] = [];
  if (server.paths.roots.length > 0) checks.push(createRootsCheck(server.paths.roots));
  checks.push(...createServerPathChecks(server));
  return createPipeline(checks);
}
