/**
 * The macOS backend's language: a SandboxView as a Seatbelt (SBPL) profile for `sandbox-exec`.
 * Deny by default; the system folders readable; `$HOME` unreadable except the program, roots,
 * read-only paths and the private cache; writes only under roots, the cache and the private temp
 * folder; no network rule at all under `deny`. The profile text depends only on how many paths of
 * each kind there are: every path reaches it as a `-D NAME=VALUE` parameter, never spliced into
 * the text, so no path can change the profile's meaning. Later rules win in SBPL, so the denials
 * come after the grants they cut into. Untested on real macOS in CI (see docs/sandbox.md).
 */
import type { AllowDeny } from '../config/types.js';
import type { SandboxView } from './view.js';

/** Canonical system folders every program needs to read (`/etc` is `/private/etc`). */
export const SEATBELT_SYSTEM: readonly string[] = [
  '/usr',
  '/bin',
  '/sbin',
  '/System',
  '/Library',
  '/private/etc',
  '/private/var/db/timezone',
  '/dev',
];

const SYSTEM_SERVICES = [
  'com.apple.system.opendirectoryd.libinfo',
  'com.apple.system.notification_center',
  'com.apple.system.logger',
  'com.apple.logd',
  'com.apple.trustd.agent',
];
const NETWORK_SERVICES = [
  'com.apple.dnssd.service',
  'com.apple.SystemConfiguration.configd',
  'com.apple.SystemConfiguration.DNSConfiguration',
];

export interface SeatbeltProfile {
  profile: string;
  /** `-D` parameters, in order. */
  params: [string, string][];
}

/** Why: the profile and its parameters for one launch. */
export function seatbeltProfile(view: SandboxView, network: AllowDeny): SeatbeltProfile {
  const params: [string, string][] = [];
  const refs = (prefix: string, paths: readonly string[], filter: 'subpath' | 'literal') =>
    paths.map((path, i) => {
      const name = `${prefix}_${i}`;
      params.push([name, path]);
      return `(${filter} (param "${name}"))`;
    });
  const rule = (action: string, matchers: string[]): string[] =>
    matchers.length === 0 ? [] : [`(${action}\n  ${matchers.join('\n  ')})`];
  const quoted = (names: readonly string[]) => names.map((name) => `(global-name "${name}")`);

  const lines = [
    '(version 1)',
    '(deny default)',
    '(allow process-fork)',
    '(allow process-exec)',
    '(allow signal (target same-sandbox))',
    '(allow process-info* (target same-sandbox))',
    '(allow sysctl-read)',
    '(allow file-read-metadata)',
    ...rule('allow mach-lookup', quoted(SYSTEM_SERVICES)),
    '(allow ipc-posix-shm-read-data (ipc-posix-name "apple.shm.notification_center"))',
    ...rule('allow file-read*', [
      '(literal "/")',
      ...SEATBELT_SYSTEM.map((p) => `(subpath "${p}")`),
    ]),
    '(allow file-read* file-write-data (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty"))',
  ];
  if (view.homeReal !== null)
    lines.push(...rule('deny file-read*', refs('HOME', [view.homeReal], 'subpath')));
  lines.push(
    ...rule('allow file-read*', refs('PROGRAM', view.program, 'subpath')),
    ...rule('allow file-read* file-write*', refs('ROOT', view.roots, 'subpath')),
    ...rule('allow file-read*', refs('READONLY', view.readOnly, 'subpath')),
    ...rule('deny file-write*', refs('READONLY_W', view.readOnly, 'subpath')),
    ...rule('deny file-read* file-write*', [
      ...refs('HIDDEN_DIR', [...view.hidden.dirs, ...view.masks.dirs], 'subpath'),
      ...refs('HIDDEN_FILE', [...view.hidden.files, ...view.masks.files], 'literal'),
      ...refs('STATE', view.stateDir === null ? [] : [view.stateDir], 'subpath'),
    ]),
    ...rule('deny file-write*', refs('PROTECT', view.protect, 'literal')),
    ...rule('allow file-read* file-write*', refs('CACHE', [view.cacheDir], 'subpath')),
  );
  if (network === 'allow') {
    lines.push(
      '(allow network-outbound (remote ip))',
      '(allow network-inbound (local ip))',
      '(allow network-bind (local ip))',
      '(allow system-socket)',
      ...rule('allow mach-lookup', quoted(NETWORK_SERVICES)),
    );
  }
  return { profile: `${lines.join('\n')}\n`, params };
}

/** Why: the argv after `/usr/bin/sandbox-exec`. */
export function seatbeltArgs(
  view: SandboxView,
  network: AllowDeny,
  exec: string,
  args: readonly string[],
): string[] {
  const { profile, params } = seatbeltProfile(view, network);
  return [
    '-p',
    profile,
    ...params.flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    exec,
    ...args,
  ];
}
