/**
 * What one run found per target, and the figures the table shows, each defined once here so
 * the table, the goals and results.json cannot disagree.
 */
import { median, percentile } from './stats.js';
import type { TargetKind } from './targets.js';

export const MiB = 1024 * 1024;
/** The large echo sizes; each payload is the size minus the envelope allowance. */
export const LARGE_SIZES = [1 * MiB, 8 * MiB] as const;

/** The raw samples collected for one target during the run. */
export interface TargetRun {
  name: string;
  kind: TargetKind;
  /** Why the target was skipped or stopped; null while it is healthy. */
  error: string | null;
  /** Which phase the error happened in. */
  failedIn: string | null;
  coldStartMs: number[];
  latencyMs: number[];
  /** The same sequential calls again, after the throughput windows: on code V8 has optimised. */
  warmLatencyMs: number[];
  throughputPerSec: number[];
  /** Round trips per entry of LARGE_SIZES, same order. */
  largeMs: number[][];
  idleRssBytes: number | null;
  peakRssBytes: number | null;
  /** Pids still alive 3 s after a session closed (then killed): a teardown leak. */
  leftoverPids: number[];
}

export function createRun(name: string, kind: TargetKind, unavailable: string | null): TargetRun {
  return {
    name,
    kind,
    error: unavailable,
    failedIn: unavailable === null ? null : 'setup',
    coldStartMs: [],
    latencyMs: [],
    warmLatencyMs: [],
    throughputPerSec: [],
    largeMs: LARGE_SIZES.map(() => []),
    idleRssBytes: null,
    peakRssBytes: null,
    leftoverPids: [],
  };
}

export type MetricKey =
  'cold' | 'p50' | 'p95' | 'throughput' | 'warmP50' | 'large1' | 'large8' | 'idleRss' | 'peakRss';

export interface Metric {
  key: MetricKey;
  label: string;
  unit: string;
  better: 'lower' | 'higher';
  /** The figure for a run, or null when it was not (or cannot be) measured. */
  value: (run: TargetRun) => number | null;
}

const figure = (value: number): number | null => (Number.isFinite(value) ? value : null);
const large = (index: number) => (run: TargetRun) => figure(median(run.largeMs[index] ?? []));

/** Every figure in table order. */
export const METRICS: readonly Metric[] = [
  {
    key: 'cold',
    label: 'cold start (median)',
    unit: 'ms',
    better: 'lower',
    value: (r) => figure(median(r.coldStartMs)),
  },
  {
    key: 'p50',
    label: 'echo latency p50',
    unit: 'ms',
    better: 'lower',
    value: (r) => figure(percentile(r.latencyMs, 50)),
  },
  {
    key: 'p95',
    label: 'echo latency p95',
    unit: 'ms',
    better: 'lower',
    value: (r) => figure(percentile(r.latencyMs, 95)),
  },
  {
    key: 'throughput',
    label: 'throughput (median)',
    unit: 'calls/s',
    better: 'higher',
    value: (r) => figure(median(r.throughputPerSec)),
  },
  {
    key: 'warmP50',
    label: 'echo latency p50, warm',
    unit: 'ms',
    better: 'lower',
    value: (r) => figure(percentile(r.warmLatencyMs, 50)),
  },
  { key: 'large1', label: '1 MiB echo (median)', unit: 'ms', better: 'lower', value: large(0) },
  { key: 'large8', label: '8 MiB echo (median)', unit: 'ms', better: 'lower', value: large(1) },
  {
    key: 'idleRss',
    label: 'relay RSS idle',
    unit: 'MB',
    better: 'lower',
    value: (r) => r.idleRssBytes,
  },
  {
    key: 'peakRss',
    label: 'relay RSS peak',
    unit: 'MB',
    better: 'lower',
    value: (r) => r.peakRssBytes,
  },
];

/** The figure of one metric for one run, in the unit the table shows (bytes become MB). */
export function metricValue(metric: Metric, run: TargetRun): number | null {
  const value = metric.value(run);
  if (value === null) return null;
  return metric.unit === 'MB' ? value / 1e6 : value;
}

/** `value / baseline` when both exist; the caller states which direction is better. */
export function ratio(value: number | null, baseline: number | null): number | null {
  if (value === null || baseline === null || baseline === 0) return null;
  return value / baseline;
}
