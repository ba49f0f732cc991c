/**
 * What every OS sandbox backend is to the rest of mcp-guard: a trial that says whether it works
 * on this machine, and a way to wrap one launch, given the view of the host the server may have
 * (view.ts, the same for every backend). The backends of an OS are tried in their order of
 * strength (backends.ts); `none` is what is left when none of them works.
 */
import type { AllowDeny } from '../config/types.js';
import type { FsView } from './fs-view.js';
import type { BackendName, SandboxSupport } from './types.js';
import type { SandboxView } from './view.js';

export interface TrialResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Everything a trial touches, injected. */
export interface ProbeDeps {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  fs: FsView;
  run(command: string, args: readonly string[]): Promise<TrialResult>;
}

export interface SandboxBackend {
  /** Its name in `sandbox.applied`, `status` and `doctor`. */
  readonly name: Exclude<BackendName, 'none'>;
  /** What `doctor` calls it. */
  readonly title: string;
  /** The OS it confines on. */
  readonly platform: NodeJS.Platform;
  /** Why: the trial run of the exact flags a launch will use (a configuration check cannot tell). */
  probe(deps: ProbeDeps): Promise<SandboxSupport>;
  /** Why: the folders it always shows and its wrapper for one launch, under a network setting. */
  prepare(fs: FsView, network: AllowDeny): BackendLaunch;
}

/** Why: a Linux backend is its trial and its wrapper; the rest is its name. */
export function linuxBackend(
  name: SandboxBackend['name'],
  title: string,
  probe: SandboxBackend['probe'],
  prepare: SandboxBackend['prepare'],
): SandboxBackend {
  return { name, title, platform: 'linux', probe, prepare };
}

/** One launch's part of a backend: what it shows anyway, then the spawn for the view. */
export interface BackendLaunch {
  /** Folders always shown read-only (`/usr`, `/etc`…): the view neither searches nor adds them. */
  system: readonly string[];
  wrap(request: WrapRequest): Wrapped;
}

export interface WrapRequest {
  /** The backend's program, as the trial found it. */
  binary: string;
  view: SandboxView;
  /** The server's program, resolved (`view.exec`, known to exist). */
  exec: string;
  args: readonly string[];
  network: AllowDeny;
  /** The backend's version, as the trial found it. */
  version: string | null;
  /** mcp-guard runs as root (uid 0). */
  asRoot: boolean;
}

/** The spawn that runs the server inside the backend. */
export interface Wrapped {
  command: string;
  args: string[];
  /** The environment of the spawned process (the wrapper's). */
  env: Record<string, string>;
  /** Options handed to the wrapper on file descriptor 3, off its command line; may be empty. */
  wrapperArgs: string[];
  /** A seccomp program handed to the wrapper on file descriptor 4 (bubblewrap's `--seccomp 4`). */
  filter?: Buffer;
  /** Folders created (mode 0700) before the spawn. */
  createDirs: string[];
  /** Files created empty (mode 0600) before the spawn, so that they can be hidden. */
  createFiles: string[];
  /** What this backend never confines that the strongest one does (for `sandbox.applied`). */
  limits?: string[];
  /** What this launch could not fully honour on this machine (for `sandbox.applied`'s notes). */
  notes?: string[];
  /** Set when the backend cannot confine this launch as the view says: why. */
  refusal?: string;
}
