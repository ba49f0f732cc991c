/**
 * What a running server costs, sampled: every SAMPLE_MS its process tree's CPU and RSS are read
 * (tree-usage.ts) on an unref'd timer, apart from the relay (no work per message), and nothing is
 * read before the first interval has passed (nothing on startup). `limits.maxMemory`: a tree
 * whose RSS is above the limit in OVER_SAMPLES consecutive samples (a peak that one sample sees
 * is let go) is reported once, and the session restarts it.
 */
import type { Clock, Timer } from './clock.js';
import type { TreeUsage } from './tree-usage.js';

/** How often a tree is sampled. */
export const SAMPLE_MS = 2000;
/** Consecutive samples above `limits.maxMemory` that make a server "stay" above it. */
export const OVER_SAMPLES = 2;

/** One sample of a server's tree, as `status`, `up` and `/metrics` show it. */
export interface ResourceSample {
  /** CPU used since the previous sample (or the start), in percent of one core. */
  cpuPercent: number;
  /** CPU time the tree has used in all, in seconds. */
  cpuSeconds: number;
  /** Resident memory of the tree's processes, in bytes. */
  rssBytes: number;
  processes: number;
  /** When it was taken (epoch ms). */
  at: number;
}

export interface ResourceWatchOptions {
  clock: Clock;
  /** Reads the tree now; null when it cannot be read (gone, not Linux). */
  read: () => TreeUsage | null;
  /** `limits.maxMemory` in bytes, if set. */
  maxMemory?: number | undefined;
  /** A sample differs from the last one reported in what is shown (whole percent, MiB, s). */
  onChange(): void;
  /** The tree stayed above `maxMemory`: called once, with the RSS of the last sample. */
  onOverLimit(rssBytes: number, maxMemory: number): void;
  intervalMs?: number;
}

export class ResourceWatch {
  readonly #options: ResourceWatchOptions;
  #last: ResourceSample | null = null;
  #shown = '';
  #previous: { cpuMs: number; at: number };
  #over = 0;
  #timer: Timer | null = null;

  constructor(options: ResourceWatchOptions) {
    this.#options = options;
    this.#previous = { cpuMs: 0, at: options.clock.now() };
    this.#schedule();
  }

  /** The last sample, null before the first one or when the tree cannot be read. */
  get last(): ResourceSample | null {
    return this.#last;
  }

  stop(): void {
    if (this.#timer !== null) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    const { clock, intervalMs = SAMPLE_MS } = this.#options;
    this.#timer = clock.setTimeout(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  #sample(): void {
    const { clock, maxMemory } = this.#options;
    const usage = this.#options.read();
    const now = clock.now();
    if (usage === null) {
      this.#last = null;
    } else {
      const elapsed = now - this.#previous.at;
      const used = Math.max(0, usage.cpuMs - this.#previous.cpuMs);
      this.#previous = { cpuMs: usage.cpuMs, at: now };
      this.#last = {
        cpuPercent: elapsed > 0 ? Math.round((used / elapsed) * 1000) / 10 : 0,
        cpuSeconds: usage.cpuMs / 1000,
        rssBytes: usage.rssBytes,
        processes: usage.processes,
        at: Math.round(clock.wall()),
      };
    }
    const shown = shownOf(this.#last);
    if (shown !== this.#shown) {
      this.#shown = shown;
      this.#options.onChange();
    }
    if (maxMemory !== undefined && usage !== null && usage.rssBytes > maxMemory) {
      this.#over += 1;
      if (this.#over >= OVER_SAMPLES) {
        this.#options.onOverLimit(usage.rssBytes, maxMemory);
        return; // once: the child is being stopped
      }
    } else {
      this.#over = 0;
    }
    this.#schedule();
  }
}

/** What a reader would see change: whole percent, MiB, whole seconds, processes. */
function shownOf(sample: ResourceSample | null): string {
  if (sample === null) return 'n/a';
  const mib = Math.round(sample.rssBytes / 1024 ** 2);
  return `${Math.round(sample.cpuPercent)} ${Math.floor(sample.cpuSeconds)} ${mib} ${sample.processes}`;
}
