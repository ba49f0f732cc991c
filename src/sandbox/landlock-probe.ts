/**
 * Does Landlock work here? The launcher itself answers, in a trial run (`--probe`): it loads its
 * FFI and asks the kernel for its Landlock ABI. A trial rather than reading /sys: a missing or
 * broken FFI package, a kernel built without Landlock and one booted without it in `lsm=` all show
 * the same way they would at launch. mcp-guard itself never loads the FFI.
 */
import { fileURLToPath } from 'node:url';
import { MIN_ABI } from './landlock-abi.js';
import type { ProbeDeps, TrialResult } from './backend.js';
import type { SandboxSupport } from './types.js';

/** The launcher script, next to this module (dist/sandbox/ when installed). */
export const LANDLOCK_LAUNCHER = fileURLToPath(new URL('./landlock-launcher.js', import.meta.url));

const ENOSYS = 38;
const EOPNOTSUPP = 95;

/** Why: the trial and its diagnosis, with the process run injected. */
export async function probeLandlock(deps: ProbeDeps): Promise<SandboxSupport> {
  const support = (
    usable: boolean,
    version: string | null,
    cause: string | null,
    fix: string | null,
    detail: string | null = null,
  ): SandboxSupport => ({
    backend: 'landlock',
    binary: usable ? LANDLOCK_LAUNCHER : null,
    version,
    usable,
    cause,
    fix,
    detail,
  });
  if (deps.platform !== 'linux') {
    return support(false, null, 'Landlock is a Linux feature', null);
  }
  const trial = await deps.run(process.execPath, [LANDLOCK_LAUNCHER, '--probe']);
  const answer = parseProbe(trial);
  if (answer === null) {
    return support(
      false,
      null,
      `the Landlock launcher could not run: ${firstLine(trial.stderr)}`,
      "reinstall mcp-guard with its dependencies (the koffi package provides Landlock's system calls)",
      trial.stderr.trim() || null,
    );
  }
  const { abi, errno } = answer;
  if (abi === 0 && errno === EOPNOTSUPP) {
    return support(
      false,
      null,
      'the kernel has Landlock but it is not enabled',
      "add 'landlock' to the kernel's lsm= boot parameter (e.g. in GRUB_CMDLINE_LINUX) and reboot",
    );
  }
  if (abi === 0) {
    return support(
      false,
      null,
      `the kernel has no Landlock${errno === ENOSYS ? '' : ` (errno ${errno})`}`,
      `use Linux 6.2 or later built with CONFIG_SECURITY_LANDLOCK`,
    );
  }
  if (abi < MIN_ABI) {
    return support(
      false,
      `ABI ${abi}`,
      `the kernel's Landlock ABI ${abi} is too old (mcp-guard needs ABI ${MIN_ABI}, Linux 6.2)`,
      'upgrade the kernel to Linux 6.2 or later',
    );
  }
  return support(true, `ABI ${abi}`, null, null);
}

/** The ABI number in a `ABI n` version string (0 when absent). */
export function abiOf(version: string | null): number {
  return Number(/^ABI (\d+)$/.exec(version ?? '')?.[1] ?? 0);
}

function parseProbe(trial: TrialResult): { abi: number; errno: number } | null {
  if (trial.code !== 0) return null;
  try {
    const value = JSON.parse(trial.stdout) as { abi?: unknown; errno?: unknown };
    return typeof value.abi === 'number' && typeof value.errno === 'number'
      ? { abi: value.abi, errno: value.errno }
      : null;
  } catch {
    return null;
  }
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? '(nothing printed)'
  );
}
