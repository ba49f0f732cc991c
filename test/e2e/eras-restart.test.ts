/**
 * A 2026-07-28 client's `subscriptions/listen` stream survives a restart of its server (SPEC 5):
 * the child is killed, mcp-guard starts the next one and sends it the same listen request, and
 * the client's stream, never answered meanwhile, delivers the new child's updates.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectEra } from '../helpers/era-peers.js';
import { fixtureCommand } from '../helpers/fixtures.js';
import { guardCommand, waitAllGone } from '../helpers/guarded.js';
import { killAll, testDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const UPDATED = 'notifications/resources/updated memo://notes/a';

void test(
  '2026-07-28: a listen stream is re-opened on the next child after a restart',
  { timeout: 120_000 },
  async (t) => {
    const dir = await testDir(t);
    const guarded = guardCommand(dir, fixtureCommand('dual-era'), {
      name: 'dual',
      entry: { restart: { backoff: { initial: '100ms', max: '1s' } } },
    });
    const peer = await connectEra(
      { sdk: 'v2', version: '2026-07-28' },
      { ...guarded.command, env: guarded.env },
    );
    t.after(() => killAll([peer.pid]));
    const c = peer.client;
    const step = <T>(label: string, p: Promise<T>) =>
      waitFor(
        p.catch((err: unknown) => {
          const seen = guarded.audit().map((r) => [r.event, r.method, r.id, r.code, r.reason]);
          throw new Error(`${label}: ${String(err)}; audit: ${JSON.stringify(seen)}`);
        }),
        20_000,
        () => `${label}; stderr:\n${peer.stderr()}`,
      );
    const stream = await step('listen', c.listen!({ resourceSubscriptions: ['memo://notes/a'] }));
    await step('touch', c.callTool({ name: 'touch', arguments: { uri: 'memo://notes/a' } }));
    assert.deepEqual(peer.notes, [UPDATED]);

    // The last spawn: the v2 client's connect probes on a process of its own first.
    const spawned = new Set(
      guarded
        .audit()
        .filter((r) => r.event === 'child.spawn')
        .map((r) => r.pid),
    );
    const first = [...spawned].at(-1) as number;
    t.after(() => killAll([first]));
    process.kill(first, 'SIGKILL');
    const next = await guarded.waitForAudit(
      (r) => r.event === 'child.spawn' && !spawned.has(r.pid),
      20_000,
      peer.stderr,
    );
    t.after(() => killAll([next.pid as number]));
    // Queued until the next child takes requests, then answered by it; the stream it re-opened
    // (sent before the queue) delivers its update.
    await step('touch again', c.callTool({ name: 'touch', arguments: { uri: 'memo://notes/a' } }));
    await waitFor(
      () => peer.notes.length === 2,
      20_000,
      () =>
        `no update from the next child: ${JSON.stringify(peer.notes)}; stderr:\n${peer.stderr()}`,
    );
    assert.deepEqual(peer.notes, [UPDATED, UPDATED]);
    const resent = guarded
      .audit()
      .filter((r) => r.method === 'subscriptions/listen' && r.event === 'rpc.request');
    assert.ok(resent.length >= 1, JSON.stringify(resent));

    await stream.close();
    await peer.close();
    await waitAllGone([peer.pid, next.pid as number], 5000, peer.stderr);
    assert.deepEqual(peer.errors, [], 'the SDK reported no error through mcp-guard');
  },
);
