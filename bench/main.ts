/**
 * `npm run bench`: measures direct, bare-pipe and mcp-guard access to server-everything in one
 * run, interleaved (targets take turns within every phase, starting one later each repetition),
 * so machine noise falls on all of them alike. Progress goes to stderr, the report to stdout.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { checkGoals } from './goals.js';
import {
  measureColdStart,
  measureLarge,
  measureLatency,
  measureThroughput,
  openWarmSessions,
  relayMemory,
  retire,
  type Contender,
} from './phases.js';
import { progress } from './progress.js';
import {
  buildResults,
  renderGoals,
  renderMachine,
  renderNotes,
  renderTable,
  type Machine,
} from './report.js';
import { createRun } from './results.js';
import { readSettings } from './settings.js';
import { listTargets, selectTargets } from './targets.js';

/** Why: the only entry point; bench/run.mjs calls it after compiling bench/. */
export async function runBenchmark(root: string): Promise<void> {
  const started = Date.now();
  const settings = readSettings(process.env, join(root, 'bench/results.json'));
  const contenders: Contender[] = selectTargets(
    listTargets(root, settings.guardCli, settings.baseline),
    settings.targets,
  ).map((target) => ({
    target,
    run: createRun(target.name, target.kind, target.unavailable),
    session: null,
    paused: null,
  }));
  // One run's audit trail at a time: the file would otherwise grow by every run's calls.
  const auditFile = join(root, 'bench/.mcp-guard/audit.jsonl');
  // The earlier checkout's rows (BENCH_BASELINE) write to its own bench/.mcp-guard/.
  const auditFiles = [root, ...(settings.baseline === null ? [] : [settings.baseline])].map(
    (checkout) => join(checkout, 'bench/.mcp-guard/audit.jsonl'),
  );
  for (const file of auditFiles) rmSync(file, { force: true });
  const machine = describeMachine(root);
  progress(renderMachine(machine));
  progress(`settings: ${JSON.stringify({ ...settings, outFile: undefined })}`);

  await measureColdStart(contenders, settings, root);
  await openWarmSessions(contenders, settings, root);
  await measureLatency(contenders, settings);
  await measureThroughput(contenders, settings);
  await measureLatency(contenders, settings, true);
  await measureLarge(contenders, settings);
  for (const c of contenders) {
    if (c.session !== null) c.run.peakRssBytes = relayMemory(c)?.peak ?? null;
  }
  for (const c of contenders) await retire(c);

  machine.loadAverageEnd = loadavg();
  const audit = existsSync(auditFile) ? statSync(auditFile).size : 0;
  if (!settings.keepAudit) for (const file of auditFiles) rmSync(file, { force: true });
  const runs = contenders.map((c) => c.run);
  const lines = [
    '',
    renderMachine(machine),
    '',
    renderTable(runs, settings),
    '',
    ...renderNotes(runs, settings, machine).map((note) => `- ${note}`),
    ...(audit === 0 ? [] : [`- ${describeAudit(audit, settings.keepAudit)}`]),
    '',
    'Goals for mcp-guard (reported, never an exit code):',
    ...renderGoals(checkGoals(runs)).map((goal) => `  ${goal}`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  mkdirSync(dirname(settings.outFile), { recursive: true });
  writeFileSync(
    settings.outFile,
    `${JSON.stringify(buildResults(runs, settings, machine), null, 2)}\n`,
  );
  progress(`wrote ${settings.outFile} in ${((Date.now() - started) / 1000).toFixed(0)} s total`);
}

function describeAudit(bytes: number, kept: boolean): string {
  const size = `${(bytes / 1e6).toFixed(0)} MB`;
  return kept
    ? `mcp-guard's audit trail of this run: bench/.mcp-guard/audit.jsonl (${size}).`
    : `mcp-guard wrote a ${size} audit trail this run (removed; BENCH_KEEP_AUDIT=1 keeps it).`;
}

function describeMachine(root: string): Machine {
  let commit: string | null = null;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    commit = dirty === '' ? head : `${head} (src/ modified)`;
  } catch {
    // not a git checkout
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemoryBytes: totalmem(),
    loadAverage: loadavg(),
    loadAverageEnd: null,
    commit,
  };
}
