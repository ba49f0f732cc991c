/**
 * Turns a run into what people read (a Markdown table with ratios, the goals) and what tools
 * read (results.json). Pure: the caller prints and writes.
 */
import { checkGoals, type GoalResult } from './goals.js';
import {
  LARGE_SIZES,
  METRICS,
  MiB,
  metricValue,
  ratio,
  type Metric,
  type MetricKey,
  type TargetRun,
} from './results.js';
import type { BenchSettings } from './settings.js';
import { HTTP_BASE, STATELESS_DIRECT, UNCONFINED } from './targets.js';
import { percentile } from './stats.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started, and when it ended. */
  loadAverage: number[];
  loadAverageEnd: number[] | null;
  commit: string | null;
}

/** How each figure was obtained, with this run's counts, for the table's first column. */
function describe(key: MetricKey, s: BenchSettings): string {
  const tput = `${s.concurrency} in flight, median of ${s.throughputRounds}x${s.throughputSeconds} s`;
  const large = (size: number) => `${size / MiB} MiB echo, median of ${s.largeReps} (ms)`;
  const table: Record<MetricKey, string> = {
    cold: `cold start: spawn to initialize result, median of ${s.coldReps} (ms)`,
    p50: `echo latency p50, ${s.latencyCalls} sequential calls (ms)`,
    p95: `echo latency p95, same calls (ms)`,
    throughput: `throughput, ${tput} (calls/s)`,
    warmP50: `echo latency p50, ${s.latencyCalls} sequential calls after the throughput windows (ms)`,
    large1: large(LARGE_SIZES[0]),
    large8: large(LARGE_SIZES[1]),
    idleRss: `relay RSS idle, ${s.settleMs} ms after handshake (MB)`,
    peakRss: `relay RSS peak (VmHWM) after large echoes (MB)`,
  };
  return table[key];
}

function formatValue(metric: Metric, value: number | null): string {
  if (value === null) return 'n/a';
  if (metric.unit === 'calls/s') return value.toFixed(0);
  if (metric.unit === 'MB' || value >= 100) return value.toFixed(1);
  return value >= 10 ? value.toFixed(2) : value.toFixed(3);
}

const formatRatio = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(2));

/** Why: one Markdown table reads in a terminal and pastes into docs/benchmark.md unchanged. */
export function renderTable(runs: readonly TargetRun[], settings: BenchSettings): string {
  const direct = runs.find((run) => run.kind === 'direct');
  const floor = runs.find((run) => run.kind === 'floor');
  const unconfined = runs.find((run) => run.name === UNCONFINED);
  const againstUnconfined = (run: TargetRun) =>
    unconfined !== undefined &&
    run !== unconfined &&
    (run.kind === 'guard' || (run.kind === 'http' && run.name !== HTTP_BASE));
  // `up --http` against the SDK's own Streamable HTTP server.
  const httpBase = runs.find((run) => run.name === HTTP_BASE);
  const againstHttp = (run: TargetRun) =>
    httpBase !== undefined && run !== httpBase && run.kind === 'http';
  // A row's own earlier build (BENCH_BASELINE), when it ran: `policy` against `policy@base`.
  const earlierOf = (run: TargetRun) =>
    run.kind === 'guard' ? runs.find((other) => other.name === `${run.name}@base`) : undefined;
  // The 2026-era mcp-guard row against the same client and server without it.
  const eraDirect = runs.find((run) => run.name === STATELESS_DIRECT);
  const againstEra = (run: TargetRun) =>
    eraDirect !== undefined && run !== eraDirect && run.kind === 'era';
  const header = ['figure', 'better'];
  for (const run of runs) {
    header.push(run.name);
    if (direct !== undefined && run !== direct) header.push('x direct');
    if (floor !== undefined && run !== floor && run.kind !== 'direct') header.push('x bare');
    if (againstUnconfined(run)) header.push(`x ${UNCONFINED}`);
    if (againstHttp(run)) header.push(`x ${HTTP_BASE}`);
    if (earlierOf(run) !== undefined) header.push('x @base');
    if (againstEra(run)) header.push(`x ${STATELESS_DIRECT}`);
  }
  const rows = [header];
  for (const metric of METRICS) {
    const row = [describe(metric.key, settings), metric.better];
    const base = (run: TargetRun | undefined) =>
      run === undefined ? null : metricValue(metric, run);
    for (const run of runs) {
      const value = metricValue(metric, run);
      row.push(formatValue(metric, value));
      if (direct !== undefined && run !== direct) row.push(formatRatio(ratio(value, base(direct))));
      if (floor !== undefined && run !== floor && run.kind !== 'direct') {
        row.push(formatRatio(ratio(value, base(floor))));
      }
      if (againstUnconfined(run)) row.push(formatRatio(ratio(value, base(unconfined))));
      if (againstHttp(run)) row.push(formatRatio(ratio(value, base(httpBase))));
      const earlier = earlierOf(run);
      if (earlier !== undefined) row.push(formatRatio(ratio(value, base(earlier))));
      if (againstEra(run)) row.push(formatRatio(ratio(value, base(eraDirect))));
    }
    rows.push(row);
  }
  const widths = header.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, col) => (col < 2 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, col) => (col < 2 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  const [first, ...rest] = rows;
  return [line(first ?? []), rule, ...rest.map(line)].join('\n');
}

/** Errors and teardown leaks, one line each, printed under the table. */
export function renderNotes(
  runs: readonly TargetRun[],
  settings: BenchSettings,
  machine: Machine,
): string[] {
  const load = (values: number[] | null) => (values ?? []).map((v) => v.toFixed(2)).join(' ');
  const notes = [
    `Large echoes: payload = size - ${settings.envelopeAllowance} bytes (envelope allowance), ` +
      `so the whole response line stays <= the size (mcp-guard's default cap is 8 MiB).`,
    `Ratios are value / baseline: below 1 is faster for "lower", above 1 is faster for "higher".`,
    `Load average ${load(machine.loadAverage)} at the start, ${load(machine.loadAverageEnd)} at the end; ` +
      `other work on the machine widens the spread (every sample is in results.json).`,
  ];
  for (const run of runs) {
    if (run.error !== null) notes.push(`${run.name}: ${run.failedIn ?? 'run'}: ${clip(run.error)}`);
    if (run.leftoverPids.length > 0) {
      notes.push(
        `${run.name}: ${run.leftoverPids.length} process(es) outlived their session by 3 s and were killed`,
      );
    }
  }
  return notes;
}

export function renderGoals(goals: readonly GoalResult[]): string[] {
  if (goals.length === 0) return ['(no mcp-guard target in this run)'];
  return goals.map((goal) => {
    const measured = goal.measured === null ? '' : ` measured ${goal.measured.toFixed(2)}`;
    const note = goal.note === '' ? '' : ` (${goal.note})`;
    return `${goal.verdict.padEnd(4)} ${goal.target}: ${goal.goal}${measured}${note}`;
  });
}

export function renderMachine(machine: Machine): string {
  const gib = (machine.totalMemoryBytes / 1024 ** 3).toFixed(1);
  const load = machine.loadAverage.map((value) => value.toFixed(2)).join(' ');
  return `machine: ${machine.cpus} x ${machine.cpuModel}, ${gib} GiB, ${machine.platform}, node ${machine.node}, load ${load}, commit ${machine.commit ?? 'unknown'}`;
}

/** Why: results.json keeps the raw samples too, so a later comparison need not rerun. */
export function buildResults(
  runs: readonly TargetRun[],
  settings: BenchSettings,
  machine: Machine,
) {
  const direct = runs.find((run) => run.kind === 'direct');
  const floor = runs.find((run) => run.kind === 'floor');
  const unconfined = runs.find((run) => run.name === UNCONFINED);
  const figures = (run: TargetRun) =>
    Object.fromEntries(METRICS.map((metric) => [metric.key, metricValue(metric, run)]));
  const ratios = (run: TargetRun, base: TargetRun | undefined) =>
    Object.fromEntries(
      METRICS.map((metric) => [
        metric.key,
        base === undefined ? null : ratio(metricValue(metric, run), metricValue(metric, base)),
      ]),
    );
  return {
    date: new Date().toISOString(),
    machine,
    settings,
    units: Object.fromEntries(METRICS.map((metric) => [metric.key, metric.unit])),
    largePayloadBytes: LARGE_SIZES.map((size) => size - settings.envelopeAllowance),
    targets: runs.map((run) => ({
      name: run.name,
      kind: run.kind,
      error: run.error,
      failedIn: run.failedIn,
      figures: figures(run),
      ratioToDirect: ratios(run, direct),
      ratioToBarePipe: ratios(run, floor),
      ratioToUnconfined:
        run.kind === 'guard' && run !== unconfined ? ratios(run, unconfined) : null,
      samples: {
        coldStartMs: run.coldStartMs,
        latencyMs: {
          count: run.latencyMs.length,
          min: run.latencyMs.length === 0 ? null : Math.min(...run.latencyMs),
          p99: run.latencyMs.length === 0 ? null : percentile(run.latencyMs, 99),
          max: run.latencyMs.length === 0 ? null : Math.max(...run.latencyMs),
        },
        warmLatencyMs: {
          count: run.warmLatencyMs.length,
          p95: run.warmLatencyMs.length === 0 ? null : percentile(run.warmLatencyMs, 95),
        },
        throughputPerSec: run.throughputPerSec,
        largeMs: run.largeMs,
      },
      leftoverPids: run.leftoverPids,
    })),
    goals: checkGoals(runs),
  };
}

/** An error's first line and the last lines of stderr after it, indented under the note. */
function clip(text: string): string {
  const [first = '', ...rest] = text.split('\n');
  const shown = rest.length > 12 ? ['  …', ...rest.slice(-11)] : rest;
  return [first, ...shown.map((line) => `  ${line}`)].join('\n');
}
