/**
 * The Prometheus text exposition format (version 0.0.4), written: one `# HELP` and one `# TYPE`
 * line per family, then its samples. Label values escape `\`, `"` and line feeds; help text
 * escapes `\` and line feeds; numbers are Go-style (`+Inf`, `-Inf`, `NaN`). Pure.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  /** Appended to the family's name: `_bucket`, `_sum`, `_count` of a histogram; else ''. */
  suffix?: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

/** The content type a scraper is told. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Why: the whole exposition, families in the order given, ending with a line feed. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(
        `${family.name}${sample.suffix ?? ''}${renderLabels(sample.labels)} ${formatValue(sample.value)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function renderLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Why: a server name or a rule is data; a quote or line feed in it must not end the sample. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Prometheus' default latency buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** A histogram's running state: counts per upper bound (not cumulative), sum and count. */
export class Histogram {
  readonly buckets: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(buckets: readonly number[] = DEFAULT_BUCKETS) {
    this.buckets = buckets;
    this.#counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.#sum += value;
    this.#count += 1;
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index !== -1) this.#counts[index]! += 1;
  }

  /** Cumulative `_bucket` samples (`le`, `+Inf` last), then `_sum` and `_count`. */
  samples(labels: Readonly<Record<string, string>>): Sample[] {
    let running = 0;
    const out: Sample[] = this.buckets.map((bound, i) => {
      running += this.#counts[i]!;
      return { suffix: '_bucket', labels: { ...labels, le: formatValue(bound) }, value: running };
    });
    out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: this.#count });
    out.push({ suffix: '_sum', labels, value: this.#sum });
    out.push({ suffix: '_count', labels, value: this.#count });
    return out;
  }
}
