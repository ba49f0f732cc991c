/**
 * `mcp-guard run <server>` and `mcp-guard run [flags] -- CMD ARGS…`: the stdio bridge a client
 * config launches. Nothing but MCP messages ever goes to stdout; human lines go to stderr.
 * Startup order matters (clients give the handshake a few seconds and start many servers at
 * once): the server is spawned first, and the audit log's heavier imports load while it boots.
 */
import { guardStop } from '../audit/event-constructors.js';
import { readEnv } from '../config/context.js';
import { resolveAdHoc } from '../config/load.js';
import { envNameProblem, withPassedEnv } from '../config/server-env.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { detectSandbox } from '../sandbox/detect.js';
import { sandboxWarning } from '../supervisor/launch.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, PROFILE_OPTION } from './config-lookup.js';
import { type Guarded, openGuardAudit, startGuarded } from './guarded-session.js';
import { ensureStateDir } from './state-dir.js';
import { releaseCompilersAfter } from './tiering.js';

const OPTIONS = {
  config: CONFIG_OPTION,
  profile: PROFILE_OPTION,
  allow: {
    type: 'string',
    multiple: true,
    value: 'DIR',
    help: '(ad hoc) a read-write root; repeatable',
  },
  'read-only': {
    type: 'string',
    multiple: true,
    value: 'DIR',
    help: '(ad hoc) a read-only path; repeatable',
  },
  'deny-network': { type: 'boolean', help: '(ad hoc) no network for the server' },
  env: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    help: "(both forms) pass variable NAME from mcp-guard's environment to the server (a client entry's env); repeatable",
  },
} as const;

export const command = defineCommand({
  name: 'run',
  summary: 'stdio bridge for one server (what a client config launches)',
  usage: [
    'run <server> [-c FILE] [--profile P] [--env NAME]…',
    'run [--profile P] [--allow DIR]… [--read-only DIR]… [--deny-network] -- CMD [ARGS…]',
  ],
  description: `Runs one MCP server behind mcp-guard, speaking MCP over this process's stdin and
    stdout. Put it where the server's command was in a client's config.

    The server's environment is its inheritEnv (by default HOME, LOGNAME, PATH, SHELL, TERM and
    USER) plus its env; nothing else of mcp-guard's own environment reaches it. A client passes an
    entry's env (an API token) to mcp-guard: name each such variable with --env NAME to hand it on.`,
  options: OPTIONS,
  operands: true,
  passThrough: true,
  // stdout carries MCP messages only: whatever run says to a human is a diagnostic.
  output: 'stderr',
  run: runServer,
});

interface RunTarget {
  manifest: ResolvedManifest;
  server: ServerConfig;
}

/** The server `run` names in its manifest, or the ad-hoc one built from `-- CMD`. */
function resolveRunTarget(call: CommandCall<typeof OPTIONS>): RunTarget {
  const { values, operands, passThrough } = call;
  const profile = values.profile === undefined ? {} : { profile: values.profile };
  if (passThrough !== null) {
    if (passThrough.length === 0) throw call.usageError(`no command after '--'`);
    if (operands.length > 0 || call.config.explicit) {
      throw call.usageError(`give either a server name or '-- CMD', not both`);
    }
    const manifest = resolveAdHoc(passThrough[0]!, passThrough.slice(1), call.ctx, {
      ...profile,
      allow: values.allow ?? [],
      readOnly: values['read-only'] ?? [],
      denyNetwork: values['deny-network'] === true,
    });
    return { manifest, server: Object.values(manifest.servers)[0]! };
  }
  if (operands.length !== 1) throw call.usageError(`name exactly one server, or give '-- CMD'`);
  if (
    values.allow !== undefined ||
    values['read-only'] !== undefined ||
    values['deny-network'] === true
  ) {
    throw call.usageError(
      `--allow, --read-only and --deny-network go with '-- CMD'; a manifest server sets them in its manifest`,
    );
  }
  const { manifest, named } = call.config.servers(operands);
  return { manifest, server: named![0]! };
}

/** The target with the `--env` names added to what its server inherits. */
function passEnv(target: RunTarget, call: CommandCall<typeof OPTIONS>): RunTarget {
  const names = call.values.env ?? [];
  for (const name of names) {
    const problem = envNameProblem(name);
    if (problem !== undefined) throw call.usageError(`--env: ${problem}`);
  }
  for (const name of new Set(names)) {
    if (readEnv(call.ctx, name) === undefined) {
      process.stderr.write(
        `mcp-guard: --env ${name}: not set in mcp-guard's environment; the server starts without it\n`,
      );
    }
  }
  const server = withPassedEnv(target.server, names);
  const servers = { ...target.manifest.servers, [server.name]: server };
  return { manifest: { ...target.manifest, servers }, server };
}

async function runServer(call: CommandCall<typeof OPTIONS>): Promise<number> {
  // The sandbox trial (one short process, cached) runs while the manifest is read.
  void detectSandbox();
  const names = call.values.env ?? [];
  const { manifest, server } = passEnv(resolveRunTarget(call), call);
  ensureStateDir(manifest);
  const audit = openGuardAudit(manifest, server.name, {
    manifest: manifest.file,
    profile: manifest.profile,
    ...(names.length === 0 ? {} : { env: [...new Set(names)] }),
  });
  const statusFile = import('../supervisor/status-file.js');
  const guarded = await startGuarded(server, manifest, audit, {
    stdio: { input: process.stdin, output: process.stdout },
    stderr: process.stderr,
    onLaunch: ({ plan, process: proc }) => {
      const warning = sandboxWarning([server.name], plan.sandbox);
      if (warning !== null) process.stderr.write(`${warning}\n`);
      if (proc instanceof Error) {
        process.stderr.write(
          `mcp-guard: could not start server '${server.name}': ${proc.message}\n`,
        );
      }
    },
  });
  const { session, sandbox } = guarded;
  releaseCompilersAfter(process.stdin);
  const { StatusFile } = await statusFile;
  const status = new StatusFile(manifest.stateDir, session, {
    command: 'run',
    manifest: manifest.file,
    sandbox: sandbox.backend,
  });
  sayFailures(session, server.name);
  const onSignal = (): void => void session.stop('signal');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  const end = await session.ended;
  status.close();
  guarded.audit.record(server.name, guardStop({ reason: end.reason, exitCode: end.exitCode }));
  guarded.audit.close();
  if (end.reason === 'server-exit' && end.exit !== null) {
    const how =
      end.exit.signal === null
        ? `exited with code ${end.exit.code}`
        : `was terminated by ${end.exit.signal}`;
    process.stderr.write(`mcp-guard: server '${server.name}' ${how}; session ended\n`);
  }
  return end.exitCode;
}

/**
 * Why: a failed server's reason (and the fix, when it names one) on stderr, once per reason; the
 * client sees it only inside the -31052 answers to its requests.
 */
function sayFailures(session: Guarded['session'], name: string): void {
  let said: string | null = null;
  session.on('change', () => {
    if (session.state !== 'failed') return;
    const { reason } = session.snapshot();
    if (reason === null || reason === said) return;
    said = reason;
    process.stderr.write(`mcp-guard: server '${name}' failed: ${reason}\n`);
  });
}
