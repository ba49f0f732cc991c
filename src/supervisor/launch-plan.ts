/**
 * The launch plan: exactly what is spawned, computed without side effects from the server's
 * configuration, mcp-guard's environment and what the sandbox trial found (plus a filesystem
 * view, read only). The server's environment is exactly `inheritEnv` (taken from mcp-guard's own
 * environment) plus `env`, and, when confined, its private package cache. The sandbox the trial
 * chose wraps the spawn (sandbox/backend.ts); the plan only decides whether it may, must or
 * cannot. A restart plans again from the same inputs and gets the same plan.
 */
import { serverEnv } from '../config/server-env.js';
import type { AllowDeny, ServerConfig } from '../config/types.js';
import { backendFor } from '../sandbox/detect.js';
import { nodeFs, type FsView } from '../sandbox/fs-view.js';
import type { SandboxApplied, SandboxSupport } from '../sandbox/types.js';
import { buildView, type ViewInput } from '../sandbox/view.js';

export interface LaunchPlan {
  command: string;
  args: string[];
  cwd: string;
  /** The environment of the spawned process (the wrapper's, when wrapped). */
  env: Record<string, string>;
  /** Options handed to the wrapper on file descriptor 3 (bwrap's `--args 3`); empty when unwrapped. */
  wrapperArgs: string[];
  /** A seccomp program handed to the wrapper on file descriptor 4 (bwrap's `--seccomp 4`). */
  filter?: Buffer;
  /** Folders created (mode 0700) before the spawn: the private cache. */
  createDirs: string[];
  /** Files created empty (mode 0600) before the spawn, so that they can be hidden: the audit log. */
  createFiles: string[];
  sandbox: SandboxApplied;
  /** Set when this launch must not happen: why, and how to fix it. */
  refusal: string | null;
}

/** What a plan needs besides the server and the environment. */
export interface LaunchContext {
  /** What the trial found (`detectSandbox()`, cached per process). */
  support: SandboxSupport;
  /** The manifest's state folder (`ResolvedManifest.stateDir`). */
  stateDir: string;
  /** Files a confined server may read but never change: the manifest, its lock. */
  protect: readonly string[];
  /** Folders a confined server may read but never change: the project's and user's profiles. */
  protectFolders?: readonly string[];
  /** Folders some confined server of the manifest may write: every server's roots. */
  writable?: readonly string[];
  /** Files a confined server must never see: the audit log. */
  hide: readonly string[];
  /** Replaces `sandbox.network` (`prepare` fills caches with the network allowed). */
  network?: AllowDeny;
  platform?: NodeJS.Platform;
  fs?: FsView;
  /** mcp-guard's uid (`process.getuid()` unless given). */
  uid?: number;
}

/** Most directory entries searched for deny matches and sockets per launch. */
export const MASK_BUDGET = 50_000;

export function planLaunch(
  server: ServerConfig,
  hostEnv: NodeJS.ProcessEnv,
  context: LaunchContext,
): LaunchPlan {
  const platform = context.platform ?? process.platform;
  const env = serverEnv(server, hostEnv, platform);
  const { support } = context;
  const network = context.network ?? server.sandbox.network;
  const applied = (backend: SandboxApplied['backend'], reason: string | null): SandboxApplied => ({
    backend,
    requested: server.sandbox.mode,
    network,
    version: backend === 'none' ? null : support.version,
    reason,
    notes: [],
  });
  const unconfined = (sandbox: SandboxApplied, refusal: string | null = null): LaunchPlan => ({
    command: server.command,
    args: [...server.args],
    cwd: server.cwd,
    env,
    wrapperArgs: [],
    createDirs: [],
    createFiles: [],
    sandbox,
    refusal,
  });
  if (server.sandbox.mode === 'off') return unconfined(applied('none', null));
  const backend = support.usable ? backendFor(support.backend, platform) : undefined;
  if (backend === undefined || support.binary === null) {
    const why = `${support.cause ?? 'no OS sandbox here'}${support.fix === null ? '' : ` (fix: ${support.fix})`}`;
    if (server.sandbox.mode === 'auto') return unconfined(applied('none', why));
    return unconfined(
      applied('none', why),
      `sandbox.mode is 'required' for '${server.name}', but the OS sandbox cannot run here: ${why}; or set sandbox.mode: auto to run it unconfined`,
    );
  }
  const fs = context.fs ?? nodeFs;
  const launch = backend.prepare(fs, network);
  const input: ViewInput = {
    server,
    env,
    hostEnv,
    stateDir: context.stateDir,
    protect: context.protect,
    ...(context.protectFolders === undefined ? {} : { protectFolders: context.protectFolders }),
    ...(context.writable === undefined ? {} : { writable: context.writable }),
    hide: context.hide,
    network,
    system: launch.system,
    budget: MASK_BUDGET,
  };
  const view = buildView(input, fs);
  // Landlock taken by `auto` because bubblewrap failed: say why the stronger one is not used.
  const passedOver = support.passedOver?.[0];
  const weaker =
    passedOver === undefined
      ? null
      : `${passedOver.backend === 'bwrap' ? 'bubblewrap' : passedOver.backend} cannot run here: ${passedOver.cause ?? 'its trial failed'}${passedOver.fix === null ? '' : ` (fix: ${passedOver.fix})`}`;
  const sandbox: SandboxApplied = { ...applied(backend.name, weaker), notes: view.notes };
  if (view.exec === null) {
    const where = server.command.includes('/') ? '' : ' on PATH';
    return unconfined(sandbox, `could not start '${server.command}': not found${where}`);
  }
  if (view.refusal !== null) return unconfined(sandbox, `mcp-guard ${view.refusal}`);
  const wrapped = launch.wrap({
    binary: support.binary,
    view,
    exec: view.exec,
    args: server.args,
    network,
    version: support.version,
    asRoot: (context.uid ?? process.getuid?.()) === 0,
  });
  const { limits, refusal, notes, ...spawn } = wrapped;
  if (limits !== undefined) sandbox.limits = limits;
  if (notes !== undefined) sandbox.notes = [...sandbox.notes, ...notes];
  if (refusal !== undefined) return unconfined(sandbox, refusal);
  return { ...spawn, cwd: server.cwd, sandbox, refusal: null };
}
