/**
 * The measurement phases. Each runs its step for every target in turn (the starting target moves
 * by one each repetition), so whatever else the machine is doing is spread over all targets.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkEchoTool, makePayload, timeEcho } from './echo.js';
import { collectGarbage } from './heap.js';
import { pauseTree, resumeTree } from './pause.js';
import { readMemory } from './processes.js';
import { progress } from './progress.js';
import { LARGE_SIZES, MiB, type TargetRun } from './results.js';
import { closeSession, openSession, withStderr, type Session } from './session.js';
import type { BenchSettings } from './settings.js';
import { HTTP_BASE, STATELESS_DIRECT, type Target } from './targets.js';

const SMALL_MESSAGE = 'hello';
const SMALL_TIMEOUT_MS = 10_000;
const LARGE_TIMEOUT_MS = 60_000;

/** A target, what has been measured for it so far, and its open warm session if any. */
export interface Contender {
  target: Target;
  run: TargetRun;
  session: Session | null;
  /** Its processes while they are stopped for another target's turn (pause.ts), else null. */
  paused: number[] | null;
}

/** Cold start: a fresh process per repetition, timed from spawn to the initialize result. */
export async function measureColdStart(
  all: Contender[],
  s: BenchSettings,
  root: string,
): Promise<void> {
  for (let rep = 0; rep < s.coldReps; rep++) {
    progress(`cold start ${rep + 1}/${s.coldReps}`);
    await eachInTurn(all, rep, 'cold start', async (c) => {
      const session = await openSession(c.target, root);
      c.run.coldStartMs.push(session.connectMs);
      c.run.leftoverPids.push(...(await closeSession(session)));
    });
  }
}

/**
 * Opens the session the later phases share and reads its idle RSS the settle time after its own
 * handshake and `tools/list`, in its own turn (however many targets open theirs before or after
 * it, and however long that takes), then warms up.
 */
export async function openWarmSessions(
  all: Contender[],
  s: BenchSettings,
  root: string,
): Promise<void> {
  progress(`opening one session per target, checking tools/list, idle RSS ${s.settleMs} ms later`);
  await eachInTurn(all, 0, 'handshake', async (c) => {
    c.session = await openSession(c.target, root);
    await checkEchoTool(c.session.client);
    await sleep(s.settleMs);
    c.run.idleRssBytes = relayMemory(c)?.rss ?? null;
  });
  progress(`warm-up: ${s.warmupCalls} echo calls per target`);
  await eachInTurn(all, 0, 'warm-up', async (c) => {
    for (let i = 0; i < s.warmupCalls; i++)
      await timeEcho(live(c), SMALL_MESSAGE, SMALL_TIMEOUT_MS);
  });
}

/**
 * Sequential small echoes; blocks of them alternate between targets on their one connection.
 * `warm`: the same again after the throughput windows, into the warm samples (docs/benchmark.md:
 * the first set is taken while the relay's and the server's code is still being optimised).
 */
export async function measureLatency(
  all: Contender[],
  s: BenchSettings,
  warm = false,
): Promise<void> {
  const label = warm ? 'warm latency' : 'latency';
  for (let block = 0; block < s.latencyBlocks; block++) {
    // Spread the calls over the blocks so every target makes exactly latencyCalls.
    const calls =
      Math.floor(s.latencyCalls / s.latencyBlocks) +
      (block < s.latencyCalls % s.latencyBlocks ? 1 : 0);
    progress(
      `${label} block ${block + 1}/${s.latencyBlocks}: ${calls} sequential calls per target`,
    );
    await eachInTurn(all, block, label, async (c) => {
      const client = live(c);
      const samples = warm ? c.run.warmLatencyMs : c.run.latencyMs;
      for (let i = 0; i < calls; i++)
        samples.push(await timeEcho(client, SMALL_MESSAGE, SMALL_TIMEOUT_MS));
    });
  }
}

/** Keeps `concurrency` echoes outstanding for the window and counts the completed ones. */
export async function measureThroughput(all: Contender[], s: BenchSettings): Promise<void> {
  for (let round = 0; round < s.throughputRounds; round++) {
    progress(
      `throughput ${round + 1}/${s.throughputRounds}: ${s.concurrency} in flight for ${s.throughputSeconds} s per target`,
    );
    await eachInTurn(all, round, 'throughput', async (c) => {
      const client = live(c);
      let completed = 0;
      const begin = performance.now();
      const deadline = begin + s.throughputSeconds * 1000;
      const worker = async (): Promise<void> => {
        while (performance.now() < deadline) {
          await timeEcho(client, SMALL_MESSAGE, SMALL_TIMEOUT_MS);
          completed++;
        }
      };
      await Promise.all(Array.from({ length: s.concurrency }, worker));
      c.run.throughputPerSec.push(completed / ((performance.now() - begin) / 1000));
    });
  }
}

/** 1 MiB and 8 MiB echoes, each size warmed up per target before the counted ones. */
export async function measureLarge(all: Contender[], s: BenchSettings): Promise<void> {
  for (const [index, size] of LARGE_SIZES.entries()) {
    const payload = makePayload(size - s.envelopeAllowance);
    // Uncounted round trips first: every process's heap grows over its first few huge strings.
    for (let rep = 0; rep < s.largeWarmup; rep++) {
      progress(`${size / MiB} MiB echo warm-up ${rep + 1}/${s.largeWarmup}`);
      await eachInTurn(all, rep, `${size / MiB} MiB echo`, async (c) => {
        await timeEcho(live(c), payload, LARGE_TIMEOUT_MS);
      });
    }
    for (let rep = 0; rep < s.largeReps; rep++) {
      progress(`${size / MiB} MiB echo ${rep + 1}/${s.largeReps}`);
      await eachInTurn(all, rep, `${size / MiB} MiB echo`, async (c) => {
        c.run.largeMs[index]?.push(await timeEcho(live(c), payload, LARGE_TIMEOUT_MS));
      });
    }
  }
}

/**
 * Runs `step` for every healthy target, starting at a different one each turn, with every other
 * target's processes stopped meanwhile (pause.ts); all run again when the phase ends. A failing
 * target gets its error recorded and its session closed; the others carry on.
 */
async function eachInTurn(
  all: Contender[],
  turn: number,
  phase: string,
  step: (c: Contender) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < all.length; i++) {
    const c = all[(i + turn) % all.length];
    if (c === undefined || c.run.error !== null) continue;
    for (const other of all) if (other !== c) pause(other);
    resume(c);
    try {
      collectGarbage();
      await step(c);
    } catch (err) {
      const failure =
        c.session === null ? withStderr(err, '') : withStderr(err, c.session.stderrTail());
      c.run.error = failure.message;
      c.run.failedIn = phase;
      progress(`${c.target.name} failed during ${phase}: ${failure.message}`);
      await retire(c);
    }
  }
  for (const c of all) resume(c);
}

function pause(c: Contender): void {
  if (c.session !== null && c.paused === null) c.paused = pauseTree(c.session.pid);
}

function resume(c: Contender): void {
  if (c.paused === null) return;
  resumeTree(c.paused);
  c.paused = null;
}

/** Closes a target's warm session, if any, recording leftover processes. */
export async function retire(c: Contender): Promise<void> {
  resume(c);
  const session = c.session;
  c.session = null;
  if (session === null) return;
  try {
    c.run.leftoverPids.push(...(await closeSession(session)));
  } catch (err) {
    progress(`${c.target.name}: closing the session failed: ${String(err)}`);
  }
}

function live(c: Contender): Session['client'] {
  if (c.session === null) throw new Error('no open session');
  return c.session.client;
}

/**
 * The relay's memory; direct, sdk-http and direct-2026 have no relay (their process is the
 * server), so none.
 */
export function relayMemory(c: Contender): ReturnType<typeof readMemory> {
  const serverOnly =
    c.target.kind === 'direct' || c.target.name === HTTP_BASE || c.target.name === STATELESS_DIRECT;
  return c.session === null || serverOnly ? null : readMemory(c.session.pid);
}
