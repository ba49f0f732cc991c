/**
 * The Landlock launcher: a short-lived Node process that confines itself and then becomes the
 * server. mcp-guard spawns it with an empty environment and hands it the launch (program,
 * arguments, environment, path rules) on descriptor 3, as it hands bubblewrap its options, so no
 * value is visible on a command line. It opens every path before confining itself, restricts
 * itself, and execve(2)s the server, which inherits the restriction for good (and so does
 * everything it starts). `--probe` prints the kernel's Landlock ABI instead (the trial run).
 */
import { closeSync, readFileSync, realpathSync, statSync, writeSync } from 'node:fs';
import {
  handledFs,
  handledNet,
  MIN_ABI,
  rightsFor,
  rulesetAttrSize,
  scoped,
} from './landlock-abi.js';
import type { LandlockSpec } from './landlock-spec.js';

/** The exit status when the launcher fails before the server starts (as a shell's "cannot run"). */
const FAILED = 126;

async function main(): Promise<number> {
  const sys = await import('./landlock-sys.js');
  if (process.argv[2] === '--probe') {
    writeSync(1, `${JSON.stringify(sys.landlockAbi())}\n`);
    return 0;
  }
  const spec = JSON.parse(readFileSync(3, 'utf8').replace(/\0$/, '')) as LandlockSpec;
  closeSync(3);
  const { abi, errno } = sys.landlockAbi();
  if (abi < MIN_ABI) {
    throw new Error(
      abi === 0
        ? `Landlock is not available in this kernel (errno ${errno})`
        : `Landlock ABI ${abi} is too old (mcp-guard needs ${MIN_ABI}, Linux 6.2)`,
    );
  }
  const ruleset = sys.createRuleset(
    handledFs(abi),
    handledNet(abi, spec.network === 'deny'),
    scoped(abi),
    rulesetAttrSize(abi),
  );
  for (const rule of spec.rules) {
    let file: boolean;
    try {
      // A path that became a symlink since the plan (or moved) would grant its target: skip it.
      if (realpathSync.native(rule.path) !== rule.path) continue;
      file = !statSync(rule.path).isDirectory();
    } catch {
      continue; // gone since the plan: nothing to grant
    }
    sys.addPathRule(ruleset, rule.path, rightsFor(rule.access, abi, file));
  }
  sys.dropCapabilities();
  sys.dieWithParent();
  sys.resetForExec();
  sys.restrictSelf(ruleset);
  if (spec.filter !== undefined) sys.loadFilter(Buffer.from(spec.filter, 'base64'));
  // mcp-guard's tree mark (supervisor/tree-mark.ts), its one variable, goes on to the server.
  const mark = process.env.MCP_GUARD_TREE;
  return sys.exec(
    spec.exec,
    spec.argv,
    mark === undefined ? spec.env : { ...spec.env, MCP_GUARD_TREE: mark },
  );
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    writeSync(2, `mcp-guard landlock launcher: ${message}\n`);
    process.exit(FAILED);
  },
);
