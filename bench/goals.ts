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
   * `floor` and `direct` compare with that baseline, `mcp-guard` with the plain mcp-guard row;
   * `absolute` compares the figure itself.
   */
  against: 'floor' | 'direct' | 'mcp-guard' | 'absolute';
  /** Only these rows are held to the goal (default: every mcp-guard row). */
  targets?: readonly string[];
  op: '<=' | '>=' | '<';
  limit: number;
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
    against: 'mcp-guard',
    op: '<',
    limit: 1.5,
    targets: ['sandboxed', 'landlock'],
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
  // What the policy engine may cost on top of the plain relay (the default profile).
  {
    text: 'p50 latency <= 1.1x mcp-guard',
    metric: 'p50',
    against: 'mcp-guard',
    op: '<=',
    limit: 1.1,
    targets: ['policy'],
  },
  {
    text: 'throughput >= 1/1.1x mcp-guard',
    metric: 'throughput',
    against: 'mcp-guard',
    op: '>=',
    limit: 1 / 1.1,
    targets: ['policy'],
  },
];

/** Why: each mcp-guard row (plain, sandboxed…) is held to the same goals. */
export function checkGoals(runs: readonly TargetRun[]): GoalResult[] {
  const baselineOf = (against: 'direct' | 'floor' | 'mcp-guard'): TargetRun | undefined =>
    against === 'mcp-guard'
      ? runs.find((run) => run.name === 'mcp-guard')
      : runs.find((run) => run.kind === against);
  const names: Record<Goal['against'], string> = {
    floor: 'bare pipe',
    direct: 'direct',
    'mcp-guard': 'mcp-guard',
    absolute: '',
  };
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
      else if (measured === null) note = `no ${names[goal.against]} figure`;
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
