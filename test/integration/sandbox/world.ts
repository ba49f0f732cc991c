/**
 * A host worth attacking, in a temp dir: a fake `$HOME` with secrets (.ssh, .aws, notes), a
 * workspace inside it (the manifest's folder and the server's root) holding a denied `.env`, a
 * read-only shared folder, a folder the server is never given, listening unix sockets and a TCP
 * port on 127.0.0.1 that count every connection. The hostile fixture is run against it through
 * `mcp-guard run` with a raw client.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import {
  callTool,
  startGuard,
  tempDir,
  writeManifest,
  type GuardProcess,
} from '../../helpers/guard-process.js';
import { FIXTURES } from '../../helpers/paths.js';
import type { JsonObject } from '../../helpers/raw-client.js';

import { descendants, killAll } from '../../helpers/processes.js';

export { descendants };

export interface World {
  root: string;
  home: string;
  work: string;
  shared: string;
  outside: string;
  /** Connections each listener received, by name. */
  hits: Record<'tcp' | 'rootSocket' | 'outsideSocket' | 'agent', number>;
  tcpPort: number;
  secretEnv: Record<string, string>;
}

export const SECRETS = {
  ssh: 'SSH-PRIVATE-KEY-DO-NOT-READ',
  aws: 'AWS-SECRET-DO-NOT-READ',
  notes: 'HOME-NOTES-DO-NOT-READ',
  env: 'DOTENV-DO-NOT-READ',
  outside: 'OUTSIDE-DO-NOT-READ',
};

function listenUnix(t: TestContext, server: Server, path: string): Promise<void> {
  t.after(() => server.close());
  return new Promise((resolve) => server.listen(path, () => resolve()));
}

export async function buildWorld(t: TestContext): Promise<World> {
  const root = tempDir(t, 'mcp-guard-sandbox-');
  const home = join(root, 'home');
  const work = join(home, 'work');
  const shared = join(root, 'shared');
  const outside = join(root, 'outside');
  // The ssh agent's folder inside the workspace: it must be masked, not just its socket.
  const agentDir = join(work, 'agent-dir');
  for (const dir of [join(home, '.ssh'), join(home, '.aws'), work, shared, outside, agentDir]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(home, '.ssh/id_ed25519'), SECRETS.ssh);
  writeFileSync(join(home, '.aws/credentials'), SECRETS.aws);
  writeFileSync(join(home, 'notes.txt'), SECRETS.notes);
  writeFileSync(join(home, '.bashrc'), 'original bashrc\n');
  writeFileSync(join(work, '.env'), SECRETS.env);
  writeFileSync(join(work, 'inside.txt'), 'inside the root');
  writeFileSync(join(shared, 'ro.txt'), 'read-only original');
  writeFileSync(join(outside, 'secret.txt'), SECRETS.outside);

  const hits = { tcp: 0, rootSocket: 0, outsideSocket: 0, agent: 0 };
  const counting = (name: keyof typeof hits) =>
    createServer((socket) => {
      hits[name] += 1;
      socket.destroy();
    });
  const tcp = counting('tcp');
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => tcp.close());
  const tcpPort = (tcp.address() as { port: number }).port;
  await listenUnix(t, counting('rootSocket'), join(work, 'app.sock'));
  await listenUnix(t, counting('outsideSocket'), join(outside, 'host.sock'));
  await listenUnix(t, counting('agent'), join(agentDir, 'agent.sock'));
  return {
    root,
    home,
    work,
    shared,
    outside,
    hits,
    tcpPort,
    secretEnv: {
      MCP_GUARD_TEST_SECRET: 'env-secret-DO-NOT-LEAK',
      SSH_AUTH_SOCK: join(agentDir, 'agent.sock'),
      HOME: home,
    },
  };
}

/** mcp-guard running the hostile fixture for `world`, with extra manifest keys and env knobs. */
export function startHostile(
  t: TestContext,
  world: World,
  options: { plan?: JsonObject[]; env?: Record<string, string>; entry?: JsonObject } = {},
): { guard: GuardProcess; manifest: string } {
  const manifest = writeManifest(world.work, {
    command: 'node',
    args: [join(FIXTURES, 'hostile.mjs')],
    env: { HOSTILE_PLAN: JSON.stringify(options.plan ?? []), ...options.env },
    paths: { roots: [world.work], readOnly: [world.shared], deny: ['**/.env'] },
    sandbox: { mode: 'required', network: 'deny' },
    ...options.entry,
  });
  const guard = startGuard(['run', 'server', '-c', manifest], {
    t,
    stateDir: world.root,
    cwd: world.work,
    env: world.secretEnv,
  });
  return { guard, manifest };
}

/** The hostile fixture started and initialized; killed with all it started after the test. */
export async function started(
  t: TestContext,
  world: World,
  plan: JsonObject[] = [],
  entry?: JsonObject,
): Promise<GuardProcess> {
  const { guard } = startHostile(t, world, { plan, ...(entry === undefined ? {} : { entry }) });
  t.after(() => killAll([guard.pid, ...descendants(guard.pid)]));
  await guard.initialize({}, 20_000);
  return guard;
}

export interface Outcome {
  ok: boolean;
  code?: string;
  data?: unknown;
}

let nextId = 100;

/** Calls a hostile tool and parses its JSON answer. */
export async function hostileCall(
  guard: GuardProcess,
  tool: 'blob' | 'attempt',
  args: JsonObject,
): Promise<Outcome> {
  const id = nextId++;
  guard.send(callTool(id, tool, args));
  const reply = await guard.nextLine(20_000);
  assert.equal(reply.id, id, guard.stderr());
  const result = reply.result as { content: { text: string }[]; isError?: boolean } | undefined;
  assert.ok(result !== undefined && result.isError !== true, JSON.stringify(reply));
  return JSON.parse(result.content[0]!.text) as Outcome;
}

/** An action hidden in a base64 blob (nothing on the wire looks like a path). */
export const blob = (action: JsonObject) => ({
  data: Buffer.from(JSON.stringify(action)).toString('base64'),
});
