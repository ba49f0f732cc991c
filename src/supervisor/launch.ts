/**
 * Launching a manifest's server the way every command does it: the cached sandbox trial, the
 * launch plan, the spawn. Also what `run` and `up` tell the user and the audit log about the
 * sandbox a launch got.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import { sandboxApplied } from '../audit/event-constructors.js';
import { userCacheDir, userConfigDir, type ConfigContext } from '../config/context.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { planLaunch, type LaunchContext, type LaunchPlan } from './launch-plan.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { ServerProcess } from './server-process.js';
import { detectSandbox } from '../sandbox/detect.js';
import type { SandboxApplied, SandboxSupport } from '../sandbox/types.js';

export interface Launched {
  plan: LaunchPlan;
  /** The started process, or why it could not start (the plan's refusal included). */
  process: ServerProcess | Error;
}

/**
 * Why: the manifest-level inputs of a plan. A confined server may read but never change the
 * manifest, its lock, the project's and the user's profiles, any profile file the chain read, and
 * mcp-guard's user cache (the parsed manifests); it never sees the audit log; no
 * symlink inside any server's root is followed to decide what a launch shows. The user folders
 * are found as the config layer finds them (config/context.ts), from this process's home folder
 * (`os.homedir()`: $HOME, else the account's), so the folder protected is the one read.
 */
export function launchContext(
  manifest: ResolvedManifest,
  support: SandboxSupport,
  hostEnv: NodeJS.ProcessEnv,
  homeDir: string = homedir(),
): LaunchContext {
  const protect: string[] = [];
  const protectFolders: string[] = [];
  if (manifest.file !== null) {
    const dir = posix.dirname(manifest.file);
    protect.push(manifest.file, posix.join(dir, 'mcp-guard.lock'));
    protectFolders.push(posix.join(dir, 'profiles'));
  }
  const user: ConfigContext = { cwd: '/', env: hostEnv, homeDir };
  // The parse cache (config/parse-cache.ts) stands in for the manifest at the next load: a server
  // that could rewrite an entry would choose its next launch's configuration. A relative home
  // folder is where the config layer's relative paths lead: under this process's directory.
  protectFolders.push(posix.resolve(userConfigDir(user)), posix.resolve(userCacheDir(user)));
  // A profile named by path (`profile: ./policy/team.yaml`) may lie in a root: as protected as
  // the manifest, or a server could rewrite it (`observe: true`) and loosen its next launch.
  protect.push(...(manifest.profileFiles ?? []));
  return {
    support,
    stateDir: manifest.stateDir,
    protect,
    protectFolders,
    writable: Object.values(manifest.servers).flatMap((server) => server.paths.roots),
    hide: manifest.audit.file === '-' ? [] : [manifest.audit.file],
  };
}

/** Why: one launch — trial (cached), plan, spawn — whose failure is a value, not a throw. */
export async function launchServer(
  server: ServerConfig,
  manifest: ResolvedManifest,
  hostEnv: NodeJS.ProcessEnv,
  overrides: Partial<Pick<LaunchContext, 'network'>> = {},
): Promise<Launched> {
  const support = await detectSandbox(server.sandbox.backend ?? 'auto');
  // A root in mcp-guard's own state folder (an ad-hoc run's private folder) is made here.
  const own = server.paths.roots.filter((root) => root.startsWith(`${manifest.stateDir}/`));
  await Promise.all(own.map((root) => mkdir(root, { recursive: true, mode: 0o700 })));
  const plan = planLaunch(server, hostEnv, {
    ...launchContext(manifest, support, hostEnv),
    ...overrides,
  });
  const process = await ServerProcess.start(plan).catch((err: unknown) =>
    err instanceof Error ? err : new Error(String(err)),
  );
  return { plan, process };
}

/**
 * Why: every launch after the first (a restart, a retry while failed) goes through the same
 * sandbox decision and is audited like the first; a launch that cannot start rejects.
 */
export function relaunchFor(
  server: ServerConfig,
  manifest: ResolvedManifest,
  hostEnv: NodeJS.ProcessEnv,
  audit: Pick<AuditSink, 'record'>,
): () => Promise<ServerProcess> {
  return async () => {
    const next = await launchServer(server, manifest, hostEnv);
    audit.record(server.name, sandboxApplied(next.plan.sandbox));
    if (next.process instanceof Error) throw next.process;
    return next.process;
  };
}

/**
 * The one line a user sees when a server runs with less confinement than asked for: unconfined
 * under `mode: auto`, or a confinement with notes. Null when there is nothing to say.
 */
export function sandboxWarning(servers: readonly string[], applied: SandboxApplied): string | null {
  const names = servers.map((name) => `'${name}'`).join(', ');
  const plural = servers.length > 1;
  if (applied.backend === 'none' && applied.requested === 'auto' && applied.reason !== null) {
    const network = applied.network === 'deny' ? '; network: deny is not enforced either' : '';
    return `mcp-guard: server${plural ? 's' : ''} ${names} run${plural ? '' : 's'} without the OS sandbox (sandbox.mode: auto): ${applied.reason}${network}. 'mcp-guard doctor' shows the details.`;
  }
  if (applied.backend === 'landlock' && applied.reason !== null) {
    const notes = applied.notes.length === 0 ? '' : `; ${applied.notes.join('; ')}`;
    return `mcp-guard: server${plural ? 's' : ''} ${names} run${plural ? '' : 's'} under Landlock, which isolates less than bubblewrap (no separate processes or IPC): ${applied.reason}${notes}. 'mcp-guard doctor' shows the details.`;
  }
  if (applied.backend !== 'none' && applied.notes.length > 0) {
    return `mcp-guard: sandbox of ${names}: ${applied.notes.join('; ')}`;
  }
  return null;
}
