/**
 * How soon V8 optimises a relay's code. A relay runs one small path per message for hours, and on
 * Node 20 V8's defaults leave that path unoptimised (interpreted, then baseline code) for its
 * first few thousand messages, where a message costs the relay two to four times its optimised
 * price (docs/benchmark.md, "Warm-up"). Asking V8 to consider a function for optimisation sooner,
 * once the sessions have started, makes that stretch a fraction as long; startup, which runs
 * once, keeps the defaults, and warm code is the same code.
 *
 * Flags are set only on the engine they were measured on, chosen by V8's major version: an
 * unknown flag is an error message on stderr, and on Node 22 (V8 12, which counts calls instead)
 * and Node 24 (V8 13, Maglev on) lowering the thresholds at run time gained nothing measurable.
 */
import { createRequire } from 'node:module';

/**
 * V8 11 (Node 20) considers a function for TurboFan after it has run a budget of bytecode, 66 KiB
 * by default; a sixteenth of it halved a relay's CPU over its first 2,000 calls.
 */
const BUDGET_V8_11 = '--interrupt-budget=4096';

/** Why: the flags for one engine, or undefined where none were measured to help. */
export function tieringFlags(v8Version: string): string | undefined {
  return v8Version.split('.')[0] === '11' ? BUDGET_V8_11 : undefined;
}

/** Called once a command's relays have started: their path is what the process runs from then on. */
export function tierUpSooner(): void {
  const flags = tieringFlags(process.versions.v8);
  if (flags === undefined) return;
  // node:v8 is loaded only where a flag is set, after startup, and synchronously: the flags are
  // in place before the session's next message.
  const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString(flags);
}
