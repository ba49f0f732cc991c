/**
 * A full garbage collection of the harness itself between steps, so the client-side garbage one
 * target's step leaves behind (8 MiB strings, thousands of promises) is not collected, and paid
 * for, during the next target's step.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/** Why: interleaving only shares noise fairly if each step starts with a clean client heap. */
export function collectGarbage(): void {
  if (collect === undefined) {
    // Set at run time; a fresh context then sees gc(), so node need not restart with the flag.
    setFlagsFromString('--expose-gc');
    const found: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    collect = typeof found === 'function' ? (found as () => void) : null;
  }
  collect?.();
}
