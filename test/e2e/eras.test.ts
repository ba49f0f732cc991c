/**
 * The protocol-era matrix (issue 13): for each of 2024-11-05, 2025-03-26, 2025-06-18 and
 * 2025-11-25 (the v1 SDK client, its `initialize` forced to that version), 2025-11-25 again and
 * 2026-07-28 (the v2 SDK client, legacy and pinned), the dual-era v2-SDK fixture answers the same
 * script through mcp-guard as it does directly: tools, structured output, resources and templates,
 * prompts, completion, logging, progress, cancellation, sampling, elicitation (form and URL),
 * roots, resource subscriptions (`resources/subscribe`, or a `subscriptions/listen` stream that
 * stays open past `limits.callTimeout`) and `_meta`. Then what the policy changes, as the docs
 * say: a denied resource cannot be subscribed or listened to, and its updates are not delivered.
 * One guarded process per version; everything ends with no process left.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { connectEra, type EraClient, type EraPeer } from '../helpers/era-peers.js';
import { fixtureCommand } from '../helpers/fixtures.js';
import { guardCommand, waitAllGone } from '../helpers/guarded.js';
import { killAll, testDir } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const STEP_MS = 20_000;
const CALL_TIMEOUT_MS = 2000;
const SECRET = 'memo://notes/secret';

type Outcome = { result: unknown } | { error: { code: unknown; message: string } };

/** Runs the matrix's script on one connection; every step bounded, quoting stderr. */
async function script(peer: EraPeer, modern: boolean): Promise<Record<string, Outcome>> {
  const seen: Record<string, Outcome> = {};
  const c = peer.client;
  const step = async (label: string, pending: Promise<unknown>) => {
    seen[label] = await waitFor(
      pending.then(
        (result) => ({ result }),
        (error: { code?: unknown; message?: unknown }) => ({
          error: { code: error.code, message: String(error.message) },
        }),
      ),
      STEP_MS,
      () => `${label} never settled; stderr:\n${peer.stderr()}`,
    );
  };
  await step('tools/list', c.listTools());
  await step('resources/list', c.listResources());
  await step('resources/templates/list', c.listResourceTemplates());
  await step('prompts/list', c.listPrompts());
  await step('echo', c.callTool({ name: 'echo', arguments: { message: 'same either way' } }));
  await step('add', c.callTool({ name: 'add', arguments: { a: 2, b: 40 } }));
  await step('read note', c.readResource({ uri: 'memo://notes/a' }));
  await step('read template', c.readResource({ uri: 'memo://notes/b' }));
  await step('prompt', c.getPrompt({ name: 'greet', arguments: { name: 'Ada' } }));
  await step(
    'complete prompt',
    c.complete({
      ref: { type: 'ref/prompt', name: 'greet' },
      argument: { name: 'name', value: 'A' },
    }),
  );
  await step(
    'complete template',
    c.complete({
      ref: { type: 'ref/resource', uri: 'memo://notes/{name}' },
      argument: { name: 'name', value: '' },
    }),
  );
  await step(
    'progress',
    // The SDK gives the request its progress token; the notifications are kept by the peer.
    c.callTool({ name: 'count', arguments: { n: 3 } }, { onprogress: () => undefined }),
  );
  if (!modern) await step('logging/setLevel', c.setLoggingLevel('info'));
  await step('log', c.callTool({ name: 'log', arguments: { message: 'hello log' } }));
  for (const kind of ['sampling', 'form', 'url', 'roots']) {
    await step(`ask ${kind}`, c.callTool({ name: 'ask', arguments: { kind } }));
  }
  await step(
    '_meta',
    c.callTool({ name: 'meta', arguments: {}, _meta: { 'example.com/trace': 'abc' } }),
  );
  const abort = new AbortController();
  const waiting = c.callTool({ name: 'wait', arguments: {} }, { signal: abort.signal });
  // Cancelled once the server works on it (before, the client would not send the request).
  await waitFor(
    () => peer.stderr().includes('dual-era: waiting'),
    STEP_MS,
    () => `the wait never started; stderr:\n${peer.stderr()}`,
  );
  abort.abort(new Error('the client gave up'));
  await step('cancelled call', waiting);
  await waitFor(
    () => peer.stderr().includes('dual-era: wait cancelled'),
    STEP_MS,
    () => `the server never saw the cancellation; stderr:\n${peer.stderr()}`,
  );
  if (modern) {
    const stream = await waitFor(
      c.listen!({ resourceSubscriptions: ['memo://notes/a'] }),
      STEP_MS,
      () => `listen; stderr:\n${peer.stderr()}`,
    );
    await step('touch', c.callTool({ name: 'touch', arguments: { uri: 'memo://notes/a' } }));
    // A stream, not a call: still delivering once limits.callTimeout has passed.
    await delay(CALL_TIMEOUT_MS + 500);
    await step('touch later', c.callTool({ name: 'touch', arguments: { uri: 'memo://notes/a' } }));
    await stream.close();
  } else {
    await step('subscribe', c.subscribeResource({ uri: 'memo://notes/a' }));
    await step('touch', c.callTool({ name: 'touch', arguments: { uri: 'memo://notes/a' } }));
  }
  seen.notifications = { result: [...peer.notes] };
  return seen;
}

/** What the policy changes: a denied URI is neither subscribed to nor delivered. */
async function deniedResource(peer: EraPeer, modern: boolean): Promise<Record<string, unknown>> {
  const c = peer.client;
  const before = peer.notes.length;
  const outcome = (p: Promise<unknown>) =>
    waitFor(
      p.then(
        () => 'accepted',
        (error: { code?: unknown }) => error.code,
      ),
      STEP_MS,
      () => `denied resource; stderr:\n${peer.stderr()}`,
    );
  const subscribed = modern
    ? await outcome(c.listen!({ resourceSubscriptions: [SECRET] }).then((s) => s.close()))
    : await outcome(c.subscribeResource({ uri: SECRET }));
  await c.callTool({ name: 'touch', arguments: { uri: SECRET } });
  // The touch's result follows its notification on the wire: whatever was delivered is here.
  return { subscribed, delivered: peer.notes.slice(before) };
}

async function connect(t: TestContext, which: EraClient, line: Parameters<typeof connectEra>[1]) {
  const peer = await connectEra(which, line);
  t.after(() => killAll([peer.pid]));
  return peer;
}

const CLIENTS: [string, EraClient][] = [
  ['2024-11-05 (v1 SDK)', { sdk: 'v1', version: '2024-11-05' }],
  ['2025-03-26 (v1 SDK)', { sdk: 'v1', version: '2025-03-26' }],
  ['2025-06-18 (v1 SDK)', { sdk: 'v1', version: '2025-06-18' }],
  ['2025-11-25 (v1 SDK)', { sdk: 'v1', version: '2025-11-25' }],
  ['2025-11-25 (v2 SDK)', { sdk: 'v2', version: '2025-11-25' }],
  ['2026-07-28 (v2 SDK)', { sdk: 'v2', version: '2026-07-28' }],
];

for (const [label, which] of CLIENTS) {
  void test(
    `${label}: the dual-era server through mcp-guard as direct`,
    { timeout: 120_000 },
    async (t) => {
      const modern = which.version === '2026-07-28';
      const dir = await testDir(t);
      const server = fixtureCommand('dual-era');
      const guarded = guardCommand(dir, server, {
        name: 'dual',
        entry: {
          // The client's roots reach the server as they would directly (paths.roots: see
          // undeclared-requests.test.ts for the manifest's own).
          paths: { roots: [] },
          resources: { deny: [`${SECRET}*`] },
          limits: { callTimeout: `${CALL_TIMEOUT_MS}ms` },
        },
      });
      const direct = await connect(t, which, server);
      const viaGuard = await connect(t, which, { ...guarded.command, env: guarded.env });
      const serverPid = await guarded.serverPid(viaGuard.stderr);
      t.after(() => killAll([serverPid]));

      assert.equal(viaGuard.client.getNegotiatedProtocolVersion(), which.version);
      assert.equal(direct.client.getNegotiatedProtocolVersion(), which.version);
      const expected = await script(direct, modern);
      const actual = await script(viaGuard, modern);
      assert.deepEqual(actual, expected);
      assert.match(JSON.stringify(actual.add), /"sum":42/);
      assert.match(JSON.stringify(actual['ask form']), /Ada/);
      assert.match(JSON.stringify(actual['ask roots']), /client\/root/);
      const notes = (actual.notifications as { result: string[] }).result;
      for (const n of [1, 2, 3])
        assert.ok(notes.includes(`notifications/progress ${n}`), JSON.stringify(notes));
      assert.deepEqual(
        (actual.notifications as { result: string[] }).result.filter((n) => n.includes('updated')),
        modern
          ? [
              'notifications/resources/updated memo://notes/a',
              'notifications/resources/updated memo://notes/a',
            ]
          : ['notifications/resources/updated memo://notes/a'],
      );

      const directDenied = await deniedResource(direct, modern);
      const guardDenied = await deniedResource(viaGuard, modern);
      // Directly the server takes (or, for resources/subscribe, does not implement) it.
      assert.notEqual(directDenied.subscribed, -31050);
      assert.deepEqual(guardDenied, { subscribed: -31050, delivered: [] });
      const refusals = guarded.audit().filter((r) => r.event === 'policy.deny');
      assert.ok(
        refusals.some((r) => r.rule === 'resources.deny'),
        `a resources.deny refusal is audited: ${JSON.stringify(refusals)}`,
      );

      await direct.close();
      await viaGuard.close();
      await waitAllGone([viaGuard.pid, serverPid], 5000, viaGuard.stderr);
      assert.deepEqual(viaGuard.errors, [], 'the SDK reported no error through mcp-guard');
    },
  );
}
