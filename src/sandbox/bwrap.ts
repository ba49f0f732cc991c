/**
 * The bubblewrap backend (Linux): every namespace, an empty root with only what the view shows
 * (bwrap-layout.ts). Its options reach bwrap on file descriptor 3 (`--args 3`), not on its
 * command line, where every local user could read the `--setenv` values.
 */
import type { AllowDeny } from '../config/types.js';
import {
  linuxBackend,
  type BackendLaunch,
  type ProbeDeps,
  type WrapRequest,
  type Wrapped,
} from './backend.js';
import { ISOLATION_FLAGS, bwrapOptions, systemOps } from './bwrap-layout.js';
import { diagnoseBwrap, linuxFacts } from './diagnose.js';
import type { FsView } from './fs-view.js';
import { findCommand } from './program.js';
import { denyFilter, NO_FILTER_NOTE } from './seccomp.js';
import type { SandboxSupport } from './types.js';

export const bwrapBackend = linuxBackend('bwrap', 'bubblewrap', probeBwrap, prepareBwrap);

function prepareBwrap(fs: FsView, network: AllowDeny): BackendLaunch {
  const system = systemOps(fs, network);
  return {
    system: system.flatMap((op) => (op.op === 'ro-bind' ? [op.dest] : [])),
    wrap: ({ binary, view, exec, args, asRoot }: WrapRequest): Wrapped => {
      // Under deny, no unix socket: one a host process makes in a root after the launch (the
      // masks are computed at launch) would otherwise be reachable.
      const filter = network === 'deny' ? denyFilter('bwrap') : null;
      return {
        command: binary,
        args: ['--args', '3', '--', exec, ...args],
        env: {},
        wrapperArgs: [
          ...bwrapOptions(view, system, network, asRoot),
          ...(filter === null ? [] : ['--seccomp', '4']),
        ],
        ...(filter === null ? {} : { filter }),
        ...(network === 'deny' && filter === null ? { notes: [NO_FILTER_NOTE] } : {}),
        createDirs: [view.cacheDir, ...view.createDirs],
        createFiles: view.create,
      };
    },
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
