/**
 * `mcp-guard run <server>` and `mcp-guard run [flags] -- CMD ARGS…`: the stdio bridge a client
 * config launches. Nothing but MCP messages ever goes to stdout; human lines go to stderr.
 * Startup order matters (clients give the handshake a few seconds and start many servers at
 * once): the server is spawned first, and the audit log's heavier imports load while it boots.
 */
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { findManifest, loadManifest, resolveAdHoc } from '../config/load.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { GuardError } from '../errors.js';
import { detectSandbox } from '../sandbox/detect.js';
import {
  launchServer,
  relaunchFor,
  sandboxAuditFields,
  sandboxWarning,
} from '../supervisor/launch.js';
import { VERSION } from '../version.js';
import { warnOnceOnAuditFailure } from './audit-warning.js';

const HELP = `Usage:
  mcp-guard run <server> [-c FILE] [--profile P]
  mcp-guard run [--profile P] [--allow DIR]… [--read-only DIR]… [--deny-network] -- CMD [ARGS…]

Runs one MCP server behind mcp-guard, speaking MCP over this process's stdin and stdout.
Put it where the server's command was in a client's config.

Options:
  -c, --config FILE   the manifest (default: $MCP_GUARD_CONFIG, else the nearest mcp-guard.yaml)
  --profile P         use profile P instead of the manifest's
  --allow DIR         (ad hoc) a read-write root; repeatable
  --read-only DIR     (ad hoc) a read-only path; repeatable
  --deny-network      (ad hoc) no network for the server
  -h, --help          show this help
`;

interface RunTarget {
  manifest: ResolvedManifest;
  server: ServerConfig;
}

/** Parses `run`'s arguments and loads the server it names (or builds the ad-hoc one). */
export function resolveRunTarget(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): RunTarget | 'help' {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        profile: { type: 'string' },
        allow: { type: 'string', multiple: true },
        'read-only': { type: 'string', multiple: true },
        'deny-network': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new GuardError('ERR_USAGE', `${(err as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  const ctx = { cwd, env, homeDir: homedir() };
  const profile = values.profile === undefined ? {} : { profile: values.profile };
  if (split !== -1) {
    if (command.length === 0) throw new GuardError('ERR_USAGE', `no command after '--'\n\n${HELP}`);
    if (positionals.length > 0 || values.config !== undefined) {
      throw new GuardError(
        'ERR_USAGE',
        `give either a server name or '-- CMD', not both\n\n${HELP}`,
      );
    }
    const manifest = resolveAdHoc(command[0]!, command.slice(1), ctx, {
      ...profile,
      allow: values.allow ?? [],
      readOnly: values['read-only'] ?? [],
      denyNetwork: values['deny-network'] === true,
    });
    const server = Object.values(manifest.servers)[0]!;
    return { manifest, server };
  }
  if (positionals.length !== 1) {
    throw new GuardError('ERR_USAGE', `name exactly one server, or give '-- CMD'\n\n${HELP}`);
  }
  if (
    values.allow !== undefined ||
    values['read-only'] !== undefined ||
    values['deny-network'] === true
  ) {
    throw new GuardError(
      'ERR_USAGE',
      `--allow, --read-only and --deny-network go with '-- CMD'; a manifest server sets them in its manifest`,
    );
  }
  const file = findManifest(ctx, values.config);
  const manifest = loadManifest(file, ctx, profile);
  const name = positionals[0]!;
  // Own keys only: `constructor` is no server, whatever Object.prototype says.
  const server = Object.hasOwn(manifest.servers, name) ? manifest.servers[name] : undefined;
  if (server === undefined) {
    const known = Object.keys(manifest.servers).join(', ') || '(none)';
    throw new GuardError(
      'ERR_SERVER_UNKNOWN',
      `no server '${name}' in ${file} (servers: ${known})`,
    );
  }
  return { manifest, server };
}

export async function main(argv: string[]): Promise<number> {
  // The sandbox trial (one short process, cached) runs while the manifest is read.
  void detectSandbox();
  const target = resolveRunTarget(argv, process.env, process.cwd());
  if (target === 'help') {
    process.stderr.write(HELP);
    return 0;
  }
  const { manifest, server } = target;
  const launched = launchServer(server, manifest, process.env);
  // The relay's modules load while the server boots: nothing but the spawn waits for them.
  const [
    { plan, process: proc },
    audit,
    { GuardSession },
    { createServerPipeline },
    { StatusFile },
  ] = await Promise.all([
    launched,
    import('../audit/audit-log.js').then(({ openAuditLog }) =>
      openAuditLog(manifest.audit, { onError: warnOnceOnAuditFailure() }),
    ),
    import('../supervisor/guard-session.js'),
    import('../policy/server-pipeline.js'),
    import('../supervisor/status-file.js'),
  ]);
  audit.record(server.name, 'guard.start', {
    version: VERSION,
    pid: process.pid,
    manifest: manifest.file,
    profile: manifest.profile,
  });
  audit.record(server.name, 'sandbox.applied', sandboxAuditFields(plan.sandbox));
  const warning = sandboxWarning([server.name], plan.sandbox);
  if (warning !== null) process.stderr.write(`${warning}\n`);
  if (proc instanceof Error) {
    process.stderr.write(`mcp-guard: could not start server '${server.name}': ${proc.message}\n`);
  }
  const session = new GuardSession({
    server,
    client: { input: process.stdin, output: process.stdout },
    audit,
    pipeline: createServerPipeline(server, { manifestFile: manifest.file }),
    process: proc,
    launch: relaunchFor(server, manifest, process.env, audit),
    stderr: process.stderr,
  });
  const status = new StatusFile(manifest.stateDir, session, {
    command: 'run',
    manifest: manifest.file,
    sandbox: plan.sandbox.backend,
  });
  const onSignal = (): void => void session.stop('signal');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  const end = await session.ended;
  status.close();
  audit.record(server.name, 'guard.stop', { reason: end.reason, exitCode: end.exitCode });
  audit.close();
  if (end.reason === 'server-exit' && end.exit !== null) {
    const how =
      end.exit.signal === null
        ? `exited with code ${end.exit.code}`
        : `was terminated by ${end.exit.signal}`;
    process.stderr.write(`mcp-guard: server '${server.name}' ${how}; session ended\n`);
  }
  return end.exitCode;
}
