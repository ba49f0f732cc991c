/**
 * The Landlock backend (Linux 6.2+), what `auto` takes where bubblewrap cannot create its
 * namespaces. No namespaces, no root, no setuid helper: mcp-guard runs the launcher
 * (landlock-launcher.ts) with its own Node; the launcher confines itself to the view's rules and
 * becomes the server. What the view hides inside a shown folder is carved out of the rules
 * (landlock-rules.ts); the private /tmp is a folder in the server's cache, named by TMPDIR. The
 * spec reaches the launcher on descriptor 3, off its command line. What Landlock cannot do that
 * bubblewrap does is listed by `landlockCoverage` and recorded with every launch.
 */
import { posix } from 'node:path';
import type { AllowDeny } from '../config/types.js';
import { linuxBackend, type WrapRequest, type Wrapped } from './backend.js';
import type { FsView } from './fs-view.js';
import { landlockCoverage } from './landlock-abi.js';
import { abiOf, LANDLOCK_LAUNCHER, probeLandlock } from './landlock-probe.js';
import { landlockRules, landlockSystem } from './landlock-rules.js';
import type { LandlockSpec } from './landlock-spec.js';
import { denyFilter, NO_FILTER_NOTE } from './seccomp.js';

/** Most directory entries read to carve the rules around hidden entries, per launch. */
export const CARVE_BUDGET = 20_000;

export const landlockBackend = linuxBackend(
  'landlock',
  'Landlock',
  probeLandlock,
  (fs, network) => ({
    system: landlockSystem(fs),
    wrap: (request: WrapRequest): Wrapped => landlockWrap(request, network, fs),
  }),
);

/** Why: the launcher's spawn for one launch, or why the launch must not happen. */
export function landlockWrap(request: WrapRequest, network: AllowDeny, fs: FsView): Wrapped {
  const { view, exec, args, binary } = request;
  const tmpDir = posix.join(view.cacheDir, 'tmp');
  const result = landlockRules({ view, tmpDir, budget: CARVE_BUDGET, network }, fs);
  // Under deny, no socket but netlink and socketpair(2): no unix socket by path, no UDP.
  const filter = network === 'deny' ? denyFilter('landlock') : null;
  const spec: LandlockSpec = {
    exec,
    argv: [exec, ...args],
    env: { ...view.env, TMPDIR: tmpDir },
    rules: 'rules' in result ? result.rules : [],
    network,
    ...(filter === null ? {} : { filter: filter.toString('base64') }),
  };
  return {
    command: process.execPath,
    args: [binary],
    env: {},
    wrapperArgs: [JSON.stringify(spec)],
    createDirs: [view.cacheDir, tmpDir, ...view.createDirs],
    createFiles: view.create,
    limits: landlockCoverage(abiOf(request.version), network, filter !== null).limits,
    ...(network === 'deny' && filter === null ? { notes: [NO_FILTER_NOTE] } : {}),
    ...('refusal' in result ? { refusal: `cannot confine the server: ${result.refusal}` } : {}),
  };
}

export { LANDLOCK_LAUNCHER };
