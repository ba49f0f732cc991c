/**
 * Only the target taking its turn runs: every other target's processes (its relay and server, or
 * its server alone) are stopped with SIGSTOP and continued with SIGCONT just before their own turn.
 * An idle target is not idle to the machine — health pings, resource sampling, status files, its
 * own timers and garbage collection wake it — and with a dozen targets open at once those wake-ups
 * land in the other rows' measurements. Stopped, a target costs the others nothing; its overdue
 * timers fire when it continues, in its own turn, as they would in a session alone.
 */
import { listDescendants } from './processes.js';

/** Every pid stopped and not yet continued, so none is left stopped when the harness ends. */
const stopped = new Set<number>();
let hooked = false;

/** Why: stops a target's tree, the root first (it sees none of its children stop). */
export function pauseTree(pid: number): number[] {
  hookExit();
  if (!signal(pid, 'SIGSTOP')) return [];
  stopped.add(pid);
  const tree = [pid];
  for (const child of listDescendants(pid)) {
    if (signal(child, 'SIGSTOP')) {
      stopped.add(child);
      tree.push(child);
    }
  }
  return tree;
}

/** Why: continues a tree pauseTree stopped, its children first (the root finds them running). */
export function resumeTree(tree: readonly number[]): void {
  for (let i = tree.length - 1; i >= 0; i--) {
    const pid = tree[i]!;
    signal(pid, 'SIGCONT');
    stopped.delete(pid);
  }
}

/** Why: a stopped process outliving the harness would never read the end of its input. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const resumeAll = (): void => {
    for (const pid of stopped) signal(pid, 'SIGCONT');
    stopped.clear();
  };
  process.on('exit', resumeAll);
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.once(name, () => {
      resumeAll();
      process.kill(process.pid, name);
    });
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // gone
  }
}
