/**
 * Reading Prometheus text exposition in tests, with the parser Prometheus users' tools share
 * (parse-prometheus-text-format, which ships no types): what /metrics serves must parse with it.
 */
import { createRequire } from 'node:module';

export interface PromMetric {
  value?: string;
  labels?: Record<string, string>;
  /** Histograms: cumulative counts by `le`. */
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface PromFamily {
  name: string;
  help: string;
  /** Upper case: COUNTER, GAUGE, HISTOGRAM. */
  type: string;
  metrics: PromMetric[];
}

const require = createRequire(import.meta.url);

/** Throws on text that is not valid exposition. */
export const parsePrometheus = require('parse-prometheus-text-format') as (
  text: string,
) => PromFamily[];

/** The value of the sample of `name` whose labels include `labels`, as a number (NaN: none). */
export function sampleValue(
  families: readonly PromFamily[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.find((f) => f.name === name);
  const metric = family?.metrics.find((m) =>
    Object.entries(labels).every(([key, value]) => m.labels?.[key] === value),
  );
  return Number(metric?.value ?? metric?.count ?? NaN);
}

/** The value on the line that starts with `series` (name and labels as written); NaN: none. */
export function lineValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}
