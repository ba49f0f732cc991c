/**
 * How much work one benchmark run does, read from the environment so a smoke run
 * (`BENCH_QUICK=1`) and a long, quieter run use the same code.
 */

export interface BenchSettings {
  quick: boolean;
  /** Fresh processes per target for the cold start median. */
  coldReps: number;
  /** Sequential small calls before the measured ones, per target. */
  warmupCalls: number;
  /** Sequential small calls measured for p50/p95, per target. */
  latencyCalls: number;
  /** The latency calls are run in this many interleaved blocks (targets take turns). */
  latencyBlocks: number;
  /** Calls kept outstanding during the throughput window. */
  concurrency: number;
  /** Length of one throughput window. */
  throughputSeconds: number;
  /** Interleaved throughput windows per target; the median is reported. */
  throughputRounds: number;
  /** Uncounted round trips per large message size before the counted ones. */
  largeWarmup: number;
  /** Round trips per large message size; the median is reported. */
  largeReps: number;
  /** Subtracted from each large size to leave room for the JSON-RPC envelope. */
  envelopeAllowance: number;
  /** Wait after the handshake before idle RSS is read. */
  settleMs: number;
  /** Target names to run, in table order; empty means the default set. */
  targets: string[];
  /** Keep bench/.mcp-guard/audit.jsonl after the run (it grows by hundreds of MB per run). */
  keepAudit: boolean;
  /** The mcp-guard CLI to run (default: this checkout's `bin`, dist/bin/mcp-guard.js). */
  guardCli: string | null;
  /** An earlier checkout (built) whose plain and policy rows run alongside (BENCH_BASELINE). */
  baseline: string | null;
  /** Where the JSON results go. */
  outFile: string;
}

const KiB = 1024;

/** Why: every knob has one name in the docs (`BENCH_*`) and one default, here. */
export function readSettings(env: NodeJS.ProcessEnv, defaultOutFile: string): BenchSettings {
  const quick = env['BENCH_QUICK'] === '1' || env['BENCH_QUICK'] === 'true';
  const int = (name: string, full: number, smoke: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return quick ? smoke : full;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${name}=${JSON.stringify(raw)}: expected a non-negative integer`);
    }
    return value;
  };
  return {
    quick,
    coldReps: int('BENCH_COLD_REPS', 5, 2),
    warmupCalls: int('BENCH_WARMUP', 200, 50),
    latencyCalls: int('BENCH_CALLS', 2000, 300),
    latencyBlocks: Math.max(1, int('BENCH_LATENCY_BLOCKS', 10, 3)),
    concurrency: Math.max(1, int('BENCH_CONCURRENCY', 32, 32)),
    throughputSeconds: int('BENCH_TPUT_SECONDS', 5, 1),
    throughputRounds: int('BENCH_TPUT_ROUNDS', 3, 1),
    largeWarmup: int('BENCH_LARGE_WARMUP', 3, 1),
    largeReps: int('BENCH_LARGE_REPS', 5, 1),
    envelopeAllowance: int('BENCH_ENVELOPE_BYTES', KiB, KiB),
    settleMs: int('BENCH_SETTLE_MS', 1000, 1000),
    targets: (env['BENCH_TARGETS'] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    keepAudit: env['BENCH_KEEP_AUDIT'] === '1',
    guardCli: env['BENCH_GUARD_CLI'] ?? null,
    baseline: env['BENCH_BASELINE'] ?? null,
    outFile: env['BENCH_OUT'] ?? defaultOutFile,
  };
}
