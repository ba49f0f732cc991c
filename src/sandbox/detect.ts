/**
 * Does the OS sandbox work here? A trial run of the exact isolation flags answers it (a
 * configuration check cannot: AppArmor, seccomp and nesting only show when it is tried). The
 * answer is cached per process, so restarts and `up`'s many servers pay for one trial; it costs
 * one short process (about 5 ms with bubblewrap) and `run` starts it before reading the manifest,
 * so it is done by the time the launch is planned.
 */
import { spawn } from 'node:child_process';
import { release } from 'node:os';
import { ISOLATION_FLAGS, systemOps } from './bwrap.js';
import { diagnoseBwrap, diagnoseSeatbelt, type LinuxFacts } from './diagnose.js';
import { nodeFs, type FsView } from './fs-view.js';
import { findCommand } from './program.js';
import { SANDBOX_EXEC } from './seatbelt.js';
import type { SandboxSupport } from './types.js';

export interface TrialResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ProbeDeps {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  fs: FsView;
  run(command: string, args: readonly string[]): Promise<TrialResult>;
}

let cached: Promise<SandboxSupport> | null = null;

/** Why: one trial per process; every launch plan of this process uses its answer. */
export function detectSandbox(): Promise<SandboxSupport> {
  cached ??= probeSandbox({
    platform: process.platform,
    env: process.env,
    fs: nodeFs,
    run: runTrial,
  });
  return cached;
}

/** Why: the trial itself, with everything it touches injected. */
export async function probeSandbox(deps: ProbeDeps): Promise<SandboxSupport> {
  if (deps.platform === 'linux') return probeBwrap(deps);
  if (deps.platform === 'darwin') return probeSeatbelt(deps);
  return {
    backend: 'none',
    binary: null,
    version: null,
    usable: false,
    cause: `${deps.platform === 'win32' ? 'Windows' : deps.platform} has no OS sandbox that mcp-guard can use`,
    fix: 'servers run unconfined here (the message-level policy still applies); for OS confinement run mcp-guard under Linux, e.g. WSL 2 with bubblewrap',
    detail: null,
  };
}

async function probeBwrap(deps: ProbeDeps): Promise<SandboxSupport> {
  const binary =
    findCommand({ command: 'bwrap', cwd: '/', searchPath: deps.env.PATH ?? '' }, deps.fs) ??
    (deps.fs.executable('/usr/bin/bwrap') ? '/usr/bin/bwrap' : null);
  if (binary === null) {
    return {
      backend: 'bwrap',
      binary: null,
      version: null,
      usable: false,
      cause: 'bubblewrap (bwrap) is not installed',
      fix: "install it: 'sudo apt-get install bubblewrap' (Debian, Ubuntu), 'sudo dnf install bubblewrap' (Fedora), 'sudo pacman -S bubblewrap' (Arch)",
      detail: null,
    };
  }
  const layout = systemOps(deps.fs, 'deny').flatMap((op) =>
    op.op === 'symlink'
      ? ['--symlink', op.target, op.dest]
      : op.op === 'ro-bind' || op.op === 'bind'
        ? [`--${op.op}`, op.src, op.dest]
        : [`--${op.op}`, op.dest],
  );
  const truePath = deps.fs.executable('/usr/bin/true') ? '/usr/bin/true' : '/bin/true';
  const [trial, versionRun] = await Promise.all([
    deps.run(binary, [...ISOLATION_FLAGS, ...layout, '--', truePath]),
    deps.run(binary, ['--version']),
  ]);
  const version = /(\d+\.\d+(?:\.\d+)?)/.exec(versionRun.stdout)?.[1] ?? null;
  if (trial.code === 0) {
    return {
      backend: 'bwrap',
      binary,
      version,
      usable: true,
      cause: null,
      fix: null,
      detail: null,
    };
  }
  const { cause, fix } = diagnoseBwrap(trial.stderr, version, linuxFacts(deps.fs));
  return {
    backend: 'bwrap',
    binary,
    version,
    usable: false,
    cause,
    fix,
    detail: trial.stderr.trim() || null,
  };
}

async function probeSeatbelt(deps: ProbeDeps): Promise<SandboxSupport> {
  const version = `Darwin ${release()}`;
  if (!deps.fs.executable(SANDBOX_EXEC)) {
    return {
      backend: 'sandbox-exec',
      binary: null,
      version,
      usable: false,
      cause: `${SANDBOX_EXEC} is missing`,
      fix: 'sandbox-exec ships with macOS; check that /usr/bin is intact',
      detail: null,
    };
  }
  const trial = await deps.run(SANDBOX_EXEC, ['-p', '(version 1)(allow default)', '/usr/bin/true']);
  if (trial.code === 0) {
    return {
      backend: 'sandbox-exec',
      binary: SANDBOX_EXEC,
      version,
      usable: true,
      cause: null,
      fix: null,
      detail: null,
    };
  }
  const { cause, fix } = diagnoseSeatbelt(trial.stderr);
  return {
    backend: 'sandbox-exec',
    binary: SANDBOX_EXEC,
    version,
    usable: false,
    cause,
    fix,
    detail: trial.stderr.trim() || null,
  };
}

/** Why: the settings and markers diagnoseBwrap reads, from /proc and the root folder. */
export function linuxFacts(fs: FsView): LinuxFacts {
  const setting = (path: string): string | null => fs.readHead(path, 64)?.trim() ?? null;
  const uidMap = fs.readHead('/proc/self/uid_map', 4096);
  const identity = uidMap === null || /^\s*0\s+0\s+4294967295\s*$/.test(uidMap);
  const container =
    fs.stat('/.flatpak-info') !== null
      ? 'flatpak'
      : fs.stat('/run/.containerenv') !== null
        ? 'podman'
        : fs.stat('/.dockerenv') !== null
          ? 'docker'
          : null;
  return {
    apparmorRestrict: setting('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    unprivilegedUsernsClone: setting('/proc/sys/kernel/unprivileged_userns_clone'),
    maxUserNamespaces: setting('/proc/sys/user/max_user_namespaces'),
    inUserNamespace: !identity,
    container,
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
