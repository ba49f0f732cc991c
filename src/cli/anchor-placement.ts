/**
 * `audit.anchor` must lie where no confined server can write (docs/audit.md): outside every
 * server's roots, followed through symbolic links on both sides, and not the audit file itself.
 * Asked of every manifest a command loads, so `check`, `run`, `up` and `pin` refuse it alike.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../errors.js';
import type { ResolvedManifest } from '../config/types.js';
import { isWithin } from '../policy/paths/within.js';

/** Why: the problems of a manifest's anchor (none when it has none, or it lies safely). */
export function anchorPlacementProblems(manifest: ResolvedManifest): ConfigProblem[] {
  const anchor = manifest.audit.anchor;
  if (anchor === undefined) return [];
  const where = { ...(manifest.file === null ? {} : { file: manifest.file }), key: 'audit.anchor' };
  const problems: ConfigProblem[] = [];
  const real = realOf(anchor);
  if (manifest.audit.file !== '-' && real === realOf(manifest.audit.file)) {
    problems.push({
      ...where,
      message: `${anchor} is the audit log itself; the anchor must be another file`,
    });
  }
  for (const server of Object.values(manifest.servers)) {
    for (const root of server.paths.roots) {
      if (isWithin(anchor, root, path.sep) || isWithin(real, realOf(root), path.sep)) {
        problems.push({
          ...where,
          message: `${anchor} lies inside the root ${root} of server '${server.name}', which the server may write to; put the anchor outside every server's roots`,
        });
      }
    }
  }
  return problems;
}

/** The path with its longest existing start resolved through symbolic links. */
function realOf(target: string): string {
  let rest = '';
  let at = path.resolve(target);
  for (;;) {
    try {
      return path.join(realpathSync(at), rest);
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(target);
      rest = path.join(path.basename(at), rest);
      at = parent;
    }
  }
}
