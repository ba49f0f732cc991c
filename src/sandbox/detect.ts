/**
 * Which OS sandbox works here? Each backend of this OS is tried, strongest first, by a trial run
 * of its exact flags (a configuration check cannot tell: AppArmor, seccomp and nesting only show
 * when it is tried); the first that works is chosen. The answer is cached per process, so
 * restarts and `up`'s many servers pay for one trial; it costs one short process (about 5 ms with
 * bubblewrap) and `run` starts it before reading the manifest, so it is done by the time the
 * launch is planned.
 */
import { spawn } from 'node:child_process';
import type { ProbeDeps, SandboxBackend, TrialResult } from './backend.js';
import { bwrapBackend } from './bwrap.js';
import { landlockBackend } from './landlock.js';
import { nodeFs } from './fs-view.js';
import { seatbeltBackend } from './seatbelt.js';
import type { BackendChoice, BackendName, SandboxSupport } from './types.js';

/** Every backend, strongest first within an OS. */
export const BACKENDS: readonly SandboxBackend[] = [bwrapBackend, landlockBackend, seatbeltBackend];

/** Why: the backend a launch planned with `support` uses on `platform`, if it confines there. */
export function backendFor(
  name: BackendName,
  platform: NodeJS.Platform,
): SandboxBackend | undefined {
  return BACKENDS.find((backend) => backend.name === name && backend.platform === platform);
}

const cached = new Map<BackendChoice, Promise<SandboxSupport>>();

/** Why: one trial per process and choice; every launch plan of this process uses its answer. */
export function detectSandbox(choice: BackendChoice = 'auto'): Promise<SandboxSupport> {
  let support = cached.get(choice);
  if (support === undefined) {
    support = probeSandbox(
      { platform: process.platform, env: process.env, fs: nodeFs, run: runTrial },
      choice,
    );
    cached.set(choice, support);
  }
  return support;
}

/**
 * Why: the choice itself, with everything it touches injected. The first backend that works,
 * else the strongest one's failure (its cause and fix are what `doctor` should show).
 */
export async function probeSandbox(
  deps: ProbeDeps,
  choice: BackendChoice = 'auto',
  backends: readonly SandboxBackend[] = BACKENDS,
): Promise<SandboxSupport> {
  const candidates = backends.filter(
    (backend) =>
      backend.platform === deps.platform && (choice === 'auto' || backend.name === choice),
  );
  const failed: SandboxSupport[] = [];
  for (const backend of candidates) {
    const support = await backend.probe(deps);
    if (support.usable) return failed.length === 0 ? support : { ...support, passedOver: failed };
    failed.push(support);
  }
  return failed[0] ?? noSandbox(deps.platform, choice);
}

/** The `none` backend: what is left where no backend confines (as on Windows). */
function noSandbox(platform: NodeJS.Platform, choice: BackendChoice): SandboxSupport {
  const os = platform === 'win32' ? 'Windows' : platform;
  return {
    backend: 'none',
    binary: null,
    version: null,
    usable: false,
    cause:
      choice === 'auto'
        ? `${os} has no OS sandbox that mcp-guard can use`
        : `the ${choice} sandbox does not run on ${os}`,
    fix: 'servers run unconfined here (the message-level policy still applies); for OS confinement run mcp-guard under Linux, e.g. WSL 2 with bubblewrap',
    detail: null,
  };
}

/** Runs a trial with no environment and no input; never rejects. */
function runTrial(command: string, args: readonly string[]): Promise<TrialResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => resolve({ code: null, stdout, stderr: stderr + err.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
