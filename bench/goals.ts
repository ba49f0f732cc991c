/**
 * mcp-guard's performance goals, checked against a run. A missed goal is reported, never turned
 * into an exit code: the benchmark is a measurement, not a test.
 */
import { METRICS, metricValue, ratio, type MetricKey, type TargetRun } from './results.js';
import { UNCONFINED } from './targets.js';

export interface Goal {
  text: string;
  metric: MetricKey;
  /**
   * Compared with the bare pipe, with direct, with the unconfined mcp-guard row, or (`absolute`)
   * the figure itself.
   */
  against: 'floor' | 'direct' | 'unconfined' | 'absolute';
  op: '<=' | '>=' | '<';
  limit: number;
  /** The mcp-guard rows the goal applies to (default: every one). */
  targets?: readonly string[];
}

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface GoalResult {
  target: string;
  goal: string;
  verdict: Verdict;
  /** The ratio (or, for absolute goals, the figure) that was compared with the limit. */
  measured: number | null;
  note: string;
}

export const GOALS: readonly Goal[] = [
  {
    text: 'cold start <= 1.15x bare pipe',
    metric: 'cold',
    against: 'floor',
    op: '<=',
    limit: 1.15,
    targets: [UNCONFINED],
  },
  {
    // The sandbox's own price: the trial run, the plan, bubblewrap's namespaces and mounts.
    text: 'cold start < 1.5x unconfined mcp-guard',
    metric: 'cold',
    against: 'unconfined',
    op: '<',
    limit: 1.5,
    targets: ['sandboxed'],
  },
  {
    text: 'p50 latency <= 1.15x bare pipe',
    metric: 'p50',
    against: 'floor',
    op: '<=',
    limit: 1.15,
  },
  {
    text: 'throughput >= 0.9x bare pipe',
    metric: 'throughput',
    against: 'floor',
    op: '>=',
    limit: 0.9,
  },
  {
    text: '8 MiB round trip <= 1.3x direct',
    metric: 'large8',
    against: 'direct',
    op: '<=',
    limit: 1.3,
  },
  { text: 'idle RSS < 60 MB', metric: 'idleRss', against: 'absolute', op: '<', limit: 60 },
];

/** Why: each mcp-guard row (plain, sandboxed…) is held to the same goals. */
export function checkGoals(runs: readonly TargetRun[]): GoalResult[] {
  const baselineOf = (against: 'direct' | 'floor' | 'unconfined'): TargetRun | undefined =>
    against === 'unconfined'
      ? runs.find((run) => run.name === UNCONFINED)
      : runs.find((run) => run.kind === against);
  const results: GoalResult[] = [];
  for (const run of runs.filter((candidate) => candidate.kind === 'guard')) {
    for (const goal of GOALS) {
      if (goal.targets !== undefined && !goal.targets.includes(run.name)) continue;
      const metric = METRICS.find((candidate) => candidate.key === goal.metric);
      if (metric === undefined) throw new Error(`goal '${goal.text}' names unknown metric`);
      const value = metricValue(metric, run);
      const baseline = goal.against === 'absolute' ? null : baselineOf(goal.against);
      const measured =
        baseline === null
          ? value
          : ratio(value, baseline === undefined ? null : metricValue(metric, baseline));
      let note = '';
      if (value === null) note = run.error === null ? 'not measured' : `${run.name} failed`;
      else if (measured === null)
        note = `no ${{ floor: 'bare pipe', direct: 'direct', unconfined: UNCONFINED, absolute: '' }[goal.against]} figure`;
      results.push({
        target: run.name,
        goal: goal.text,
        verdict: measured === null ? 'n/a' : compare(measured, goal) ? 'PASS' : 'MISS',
        measured,
        note,
      });
    }
  }
  return results;
}

function compare(measured: number, goal: Goal): boolean {
  switch (goal.op) {
    case '<=':
      return measured <= goal.limit;
    case '>=':
      return measured >= goal.limit;
    case '<':
      return measured < goal.limit;
  }
}
