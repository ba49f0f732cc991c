/**
 * Why a sandbox trial failed and how to fix it, from what the trial printed and the machine's
 * settings. The usual causes: Ubuntu 24.04's AppArmor restriction on user namespaces, a kernel
 * with unprivileged user namespaces turned off, a container without user namespaces, an older
 * bubblewrap, or mcp-guard already running inside another sandbox.
 */
import type { FsView } from './fs-view.js';

/** The settings and markers that decide whether unprivileged user namespaces work (Linux). */
export interface LinuxFacts {
  /** `kernel.apparmor_restrict_unprivileged_userns` (Ubuntu 23.10+), or null where absent. */
  apparmorRestrict: string | null;
  /** `kernel.unprivileged_userns_clone` (Debian's older kernels), or null where absent. */
  unprivilegedUsernsClone: string | null;
  /** `user.max_user_namespaces`. */
  maxUserNamespaces: string | null;
  /** `/proc/self/uid_map` is not the identity: already in a user namespace (container, sandbox). */
  inUserNamespace: boolean;
  /** What kind of container or sandbox the markers say this is, if any. */
  container: 'flatpak' | 'docker' | 'podman' | null;
}

export interface Diagnosis {
  cause: string;
  fix: string;
}

/** The kernel settings `doctor` shows, as `name = value` pairs. */
export function kernelSettings(facts: LinuxFacts): [string, string][] {
  const rows: [string, string | null][] = [
    ['user.max_user_namespaces', facts.maxUserNamespaces],
    ['kernel.unprivileged_userns_clone', facts.unprivilegedUsernsClone],
    ['kernel.apparmor_restrict_unprivileged_userns', facts.apparmorRestrict],
  ];
  return rows.map(([name, value]) => [name, value ?? '(not present)']);
}

/** Why: a failed trial becomes one sentence naming the cause and one naming the fix. */
export function diagnoseBwrap(
  stderr: string,
  version: string | null,
  facts: LinuxFacts,
): Diagnosis {
  const said = firstLine(stderr);
  if (/unknown option|unrecognized option/i.test(stderr)) {
    return {
      cause: `bubblewrap ${version ?? '(unknown version)'} is too old: it does not know ${quoteOption(stderr)} (mcp-guard needs bubblewrap 0.8.0 or later)`,
      fix: 'upgrade bubblewrap (distribution package, or build 0.8.0+ from github.com/containers/bubblewrap)',
    };
  }
  if (facts.apparmorRestrict === '1') {
    return {
      cause: `AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, as on Ubuntu 23.10 and later); bwrap said: ${said}`,
      fix: "give bwrap an AppArmor profile that allows 'userns' (see docs/sandbox.md), or run 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'",
    };
  }
  if (facts.unprivilegedUsernsClone === '0') {
    return {
      cause: `unprivileged user namespaces are turned off (kernel.unprivileged_userns_clone = 0); bwrap said: ${said}`,
      fix: "run 'sudo sysctl -w kernel.unprivileged_userns_clone=1' (and set it in /etc/sysctl.d/ to keep it)",
    };
  }
  if (facts.maxUserNamespaces === '0') {
    return {
      cause: `user namespaces are disabled (user.max_user_namespaces = 0); bwrap said: ${said}`,
      fix: "run 'sudo sysctl -w user.max_user_namespaces=15000' (and set it in /etc/sysctl.d/ to keep it)",
    };
  }
  if (facts.container === 'flatpak') {
    return {
      cause: `mcp-guard is already inside another sandbox (Flatpak), which forbids new namespaces; bwrap said: ${said}`,
      fix: "run mcp-guard outside the Flatpak (e.g. through 'flatpak-spawn --host'), or set sandbox.mode: off",
    };
  }
  if (facts.container !== null) {
    return {
      cause: `this is a ${facts.container} container whose security profile forbids new user namespaces; bwrap said: ${said}`,
      fix: 'start the container with --security-opt seccomp=unconfined --security-opt apparmor=unconfined (or run mcp-guard on the host)',
    };
  }
  if (facts.inUserNamespace) {
    return {
      cause: `mcp-guard is already inside another sandbox or container (a user namespace) that forbids nesting; bwrap said: ${said}`,
      fix: 'run mcp-guard outside that sandbox, or set sandbox.mode: off for its servers',
    };
  }
  return {
    cause: `the bubblewrap trial run failed; bwrap said: ${said}`,
    fix: "check that unprivileged user namespaces are allowed ('mcp-guard doctor' shows the kernel settings; see docs/sandbox.md)",
  };
}

/** Why: macOS refuses sandbox_apply inside an already sandboxed process. */
export function diagnoseSeatbelt(stderr: string): Diagnosis {
  const said = firstLine(stderr);
  if (/operation not permitted/i.test(stderr)) {
    return {
      cause: `mcp-guard is already inside another sandbox (sandbox-exec said: ${said})`,
      fix: 'run mcp-guard from an unsandboxed terminal or app, or set sandbox.mode: off',
    };
  }
  return {
    cause: `the sandbox-exec trial run failed: ${said}`,
    fix: 'run \'/usr/bin/sandbox-exec -p "(version 1)(allow default)" /usr/bin/true\' to see why',
  };
}

function firstLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line === undefined ? '(nothing printed)' : line;
}

function quoteOption(stderr: string): string {
  return /(--[a-z-]+)/.exec(stderr)?.[1] ?? 'an option it was given';
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
