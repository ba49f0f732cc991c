/**
 * Resource tracking end to end, through the built CLI with the SDK's real client: a server that
 * allocates past `limits.maxMemory` is stopped and restarted through its restart policy (the
 * `child.exit` record says why, the call in flight is answered as for a crash, the next call
 * works); and `status --json` reports the CPU time and memory of the server's process tree as
 * /proc shows them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { guardFixture, resultText, sdkThrough } from '../helpers/guarded.js';
import { CLI } from '../helpers/paths.js';
import { descendants, isAlive, testDir, waitFor } from '../helpers/processes.js';

const MiB = 1024 ** 2;

test('limits.maxMemory: a server that allocates past it is stopped and restarted; child.exit says why, the call in flight gets -31054, the next call works', async (t) => {
  const dir = await testDir(t);
  const guarded = guardFixture(dir, 'allocating', [], {
    entry: {
      limits: { maxMemory: '160MiB' },
      restart: { policy: 'on-failure', backoff: { initial: 50, max: 1000 } },
    },
  });
  const { sdk, serverPid, step, close } = await sdkThrough(t, guarded);
  const client = sdk.client;
  assert.equal(resultText(await step('a first call', client.callTool(echo('before')))), 'before');

  // 200 MiB on top of the server's own: above the limit until it is stopped; never answered.
  const held = client
    .callTool({ name: 'allocate', arguments: { mib: 200, hold: true } }, undefined, {
      timeout: 60_000,
    })
    .then(
      () => 'answered',
      (error: unknown) => error,
    );
  const exit = await guarded.waitForAudit(
    (r) => r.event === 'child.exit' && r.reason === 'maxMemory',
    30_000,
    sdk.stderr,
  );
  assert.equal(exit.pid, serverPid);
  assert.equal(exit.maxMemory, 160 * MiB);
  assert.ok((exit.rssBytes as number) > 160 * MiB, `rssBytes ${String(exit.rssBytes)}`);
  const error = await step('the call in flight', held);
  assert.ok(error instanceof McpError, `the held call: ${String(error)}`);
  assert.equal(error.code, -31054);

  const restart = await guarded.waitForAudit(
    (r) => r.event === 'child.restart',
    10_000,
    sdk.stderr,
  );
  assert.match(String(restart.reason), /maxMemory/);
  assert.equal(resultText(await step('the next call', client.callTool(echo('after')))), 'after');
  const spawns = guarded.audit().filter((r) => r.event === 'child.spawn');
  assert.equal(spawns.length, 2);
  assert.ok(!isAlive(serverPid), 'the child above the limit is gone');
  await close();
});

test('status --json: the CPU time and memory of the server’s process tree match /proc', async (t) => {
  const dir = await testDir(t);
  const guarded = guardFixture(dir, 'allocating', [], { entry: { health: { interval: 60_000 } } });
  const { sdk, serverPid, step, close } = await sdkThrough(t, guarded);
  const client = sdk.client;
  // A grandchild holding memory of its own: the tree is both processes.
  await step('a grandchild', client.callTool({ name: 'spawn', arguments: { mib: 24 } }));
  await step('allocate', client.callTool({ name: 'allocate', arguments: { mib: 64 } }));
  await step('burn', client.callTool({ name: 'burn', arguments: { ms: 1500 } }));
  const burnt = Date.now();

  const before = readTree(serverPid);

  // The first sample taken after the work was done, once the tree is idle again (status shows a
  // sample when what it shows changes: here, the CPU falling back). The reads of /proc just after
  // the work and just after this bound what it can have seen.
  const record = await waitFor(
    () => {
      const [one] = status(guarded.manifest);
      return one?.usage != null && one.usage.at >= burnt && one.usage.cpuPercent < 5
        ? one
        : undefined;
    },
    20_000,
    sdk.stderr,
  );
  const proc = readTree(serverPid);
  assert.equal(record.pid, serverPid);
  assert.equal(record.usage!.processes, proc.pids.length, `tree ${proc.pids.join(' ')}`);
  assert.equal(proc.pids.length, 2);
  assert.deepEqual(before.pids, proc.pids);
  assert.ok(record.usage!.cpuSeconds >= 1.4, `the burn is counted: ${record.usage!.cpuSeconds}`);
  // Both read the same clock ticks of /proc: the sample lies between the two reads, but for the
  // few ticks per process the tree can use between the work's answer and the first read.
  const ticks = 0.01 * 5 * proc.pids.length;
  assert.ok(
    record.usage!.cpuSeconds >= before.cpuSeconds - ticks &&
      record.usage!.cpuSeconds <= proc.cpuSeconds + ticks,
    `CPU: status ${record.usage!.cpuSeconds} s, /proc ${before.cpuSeconds} … ${proc.cpuSeconds} s`,
  );
  const [low, high] = [before.rssBytes, proc.rssBytes].sort((a, b) => a - b);
  const slack = Math.max(4 * MiB, high! * 0.05);
  assert.ok(
    record.usage!.rssBytes >= low! - slack && record.usage!.rssBytes <= high! + slack,
    `RSS: status ${record.usage!.rssBytes}, /proc ${low} … ${high}`,
  );
  assert.ok(proc.rssBytes > (64 + 24) * MiB, `RSS ${proc.rssBytes}`);
  await close();
});

const echo = (text: string) => ({ name: 'echo', arguments: { text } });

interface Usage {
  cpuPercent: number;
  cpuSeconds: number;
  rssBytes: number;
  processes: number;
  at: number;
}

function status(manifest: string): { pid: number | null; usage: Usage | null }[] {
  const run = spawnSync(process.execPath, [CLI, 'status', '-c', manifest, '--json'], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { pid: number | null; usage: Usage | null }[];
}

/** The tree below (and with) `root` as /proc shows it: VmRSS, and utime+stime (+ children's). */
function readTree(root: number): { pids: number[]; cpuSeconds: number; rssBytes: number } {
  const pids = [root, ...descendants(root)];
  let ticks = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the comm: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (man 5 proc).
    ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    const vmRss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    rssBytes += Number(vmRss?.[1] ?? 0) * 1024;
  }
  return { pids, cpuSeconds: ticks / 100, rssBytes };
}
