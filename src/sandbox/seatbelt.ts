/**
 * The sandbox-exec backend (macOS): a deny-by-default Seatbelt profile (seatbelt-profile.ts)
 * whose paths all arrive as parameters. The server gets a private temporary folder inside its
 * cache. Untested on real macOS in CI (see docs/sandbox.md).
 */
import { release } from 'node:os';
import { posix } from 'node:path';
import type { BackendLaunch, ProbeDeps, SandboxBackend, WrapRequest, Wrapped } from './backend.js';
import { diagnoseSeatbelt } from './diagnose.js';
import { SEATBELT_SYSTEM, seatbeltArgs } from './seatbelt-profile.js';
import type { SandboxSupport } from './types.js';

export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

export const seatbeltBackend: SandboxBackend = {
  name: 'sandbox-exec',
  title: 'sandbox-exec',
  platform: 'darwin',
  probe: probeSeatbelt,
  prepare(): BackendLaunch {
    return {
      system: SEATBELT_SYSTEM,
      wrap: ({ view, exec, args, network }: WrapRequest): Wrapped => {
        const tmp = posix.join(view.cacheDir, 'tmp');
        return {
          command: SANDBOX_EXEC,
          args: seatbeltArgs(view, network, exec, args),
          env: { ...view.env, TMPDIR: tmp },
          wrapperArgs: [],
          createDirs: [view.cacheDir, tmp, ...view.createDirs],
          createFiles: view.create,
        };
      },
    };
  },
};

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
