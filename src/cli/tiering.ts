/**
 * When V8 compiles mcp-guard's relays to machine code. `run` is a small loop that lives for hours
 * and is mostly idle: clients start every configured server and use a few. V8's defaults fit
 * neither end of that life. At the start they compile hot startup code (module and path handling)
 * and a handshake's long texts with the optimising compiler, whose own code — 4 to 7 MB of the
 * node binary, by engine — then stays resident in a relay that may never relay a call; once calls
 * flow, on Node 20 they leave the relay's path interpreted for its first few thousand messages,
 * where a message costs two to four times its optimised price (docs/benchmark.md, "Warm-up").
 *
 * So `run` holds the optimising compilers (and Sparkplug's baseline code) from its first statement
 * until the client has sent RELEASE_AFTER_CHUNKS chunks, then gives the engine its defaults back;
 * on Node 20 it also asks V8 to optimise sooner. Nothing is compiled while a relay is idle, so a
 * relay that has only started, shaken hands and listed keeps none of the compiler in memory, and
 * one that relays steadily reaches optimised code in a fraction of the messages. The price: its
 * first messages run interpreted (a 1 MiB result takes about 1.3x as long through the relay). `up`
 * (whose sessions serve HTTP clients and mcp-guard's own) only asks for the sooner optimisation.
 *
 * Flags are set only on the engines they were measured on (V8 11, 12 and 13: Node 20, 22, 24),
 * chosen by V8's major version: an unknown flag is an error message on stderr, and another engine
 * may have other defaults to give back. When node was started with flags of its own about these
 * compilers (its options, NODE_OPTIONS), nothing is changed.
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';

/** Client input chunks after which a session counts as relaying, not only starting. */
export const RELEASE_AFTER_CHUNKS = 32;

interface EngineFlags {
  /** From `run`'s start: no optimised or baseline code for what runs once. */
  hold: string;
  /** Once the session relays: the engine's defaults again. */
  release: string;
  /**
   * Sooner optimisation, where it helped. Set with the hold, not the release: a function's next
   * budget is set when its current one runs out, so a budget lowered at the release would reach
   * a function only after it had used up a default one.
   */
  sooner: string;
}

/**
 * Per V8 major version. V8 11 (Node 20) considers a function for TurboFan after it has run a
 * budget of bytecode, 66 KiB by default; a sixteenth of it halved a relay's CPU over calls
 * 201–2,200. V8 12 (Node 22) counts calls instead, and lowering its counts at run time gained
 * nothing measurable; V8 13 (Node 24) has Maglev on, which warms up quickly by itself.
 */
const ENGINES: Readonly<Record<string, EngineFlags>> = {
  '11': {
    hold: '--no-turbofan --no-sparkplug',
    release: '--turbofan --sparkplug',
    sooner: '--interrupt-budget=4096',
  },
  '12': { hold: '--no-turbofan --no-sparkplug', release: '--turbofan --sparkplug', sooner: '' },
  '13': {
    hold: '--no-turbofan --no-maglev --no-sparkplug',
    release: '--turbofan --maglev --sparkplug',
    sooner: '',
  },
};

/** Node options that set these compilers' flags themselves: then none is changed. */
const OWN_COMPILER_FLAGS =
  /(turbofan|maglev|sparkplug|jitless|interrupt-budget|invocation-count|--(no-)?opt\b|max-lazy)/;

/**
 * Why: the flags for one engine, or null where none were measured or the process was started
 * with compiler flags of its own.
 */
export function engineFlags(v8Version: string, nodeOptions: readonly string[]): EngineFlags | null {
  if (nodeOptions.some((option) => OWN_COMPILER_FLAGS.test(option))) return null;
  return ENGINES[v8Version.split('.')[0]!] ?? null;
}

/** This process's engine's flags (null: leave the engine alone). */
const thisEngine = (): EngineFlags | null =>
  engineFlags(process.versions.v8, [...process.execArgv, process.env.NODE_OPTIONS ?? '']);

const setFlags = (...flags: string[]): void =>
  (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(
    flags.filter((flag) => flag !== '').join(' '),
  );

/** The flags `holdCompilers` set, to be undone by `releaseCompilersAfter`. */
let held: EngineFlags | null = null;

/** Called first thing when the command is `run`, before its modules load. */
export function holdCompilers(): void {
  held = thisEngine();
  if (held !== null) setFlags(held.hold, held.sooner);
}

/**
 * Why: once `input` (the client's side) has brought RELEASE_AFTER_CHUNKS chunks, counted from
 * this call, the compilers held since the start are released.
 */
export function releaseCompilersAfter(input: Readable): void {
  const flags = held;
  if (flags === null) return;
  let chunks = 0;
  const count = (): void => {
    chunks += 1;
    if (chunks < RELEASE_AFTER_CHUNKS) return;
    input.off('data', count);
    held = null;
    setFlags(flags.release);
  };
  input.on('data', count);
}

/** `up`'s sessions (held by nothing): V8 asked to optimise sooner once its servers have started. */
export function tierUpSooner(): void {
  const flags = thisEngine();
  if (flags !== null && flags.sooner !== '') setFlags(flags.sooner);
}
