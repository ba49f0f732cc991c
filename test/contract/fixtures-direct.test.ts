/**
 * Each fixture server does what its header says, checked directly with the raw line client
 * (no mcp-guard in between), so tests of mcp-guard can rely on them. One small check each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { fixtureCommand } from '../helpers/fixtures.js';
import {
  isAlive,
  killAll,
  processGroup,
  readPidFile,
  readPids,
  spawnRaw,
  testDir,
  waitFor,
  waitForExit,
  type RawChild,
  type TempDir,
} from '../helpers/processes.js';

const WAIT_MS = 10_000;

interface Started {
  raw: RawChild;
  pidFile: string;
  dir: TempDir;
  /** The lines the server received (RECV_LOG), parsed. */
  readonly received: () => Record<string, unknown>[];
}

/** Starts fixture NAME with PID_FILE and RECV_LOG in a fresh temp dir; killed after the test. */
async function start(
  t: TestContext,
  name: string,
  args: string[] = [],
  env: Record<string, string> | ((dir: TempDir) => Record<string, string>) = {},
): Promise<Started> {
  const dir = await testDir(t);
  const pidFile = dir.join('server.pid');
  const recvLog = dir.join('received.jsonl');
  const { command, args: argv } = fixtureCommand(name, ...args);
  const raw = await spawnRaw(command, argv, {
    env: {
      ...process.env,
      PID_FILE: pidFile,
      RECV_LOG: recvLog,
      ...(typeof env === 'function' ? env(dir) : env),
    },
  });
  t.after(() => killAll([raw.pid]));
  const received = () =>
    readFileSync(recvLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { raw, pidFile, dir, received };
}

/** Ends stdin and requires the exit (code 0 unless told) and the pid gone. */
async function stop(
  raw: RawChild,
  expected = { code: 0 as number | null, signal: null as NodeJS.Signals | null },
) {
  assert.deepEqual(await raw.close(), expected, raw.stderr());
  await waitForExit(raw.pid, WAIT_MS, raw.stderr);
}

const call = (
  id: number,
  name: string,
  args: Record<string, unknown> = {},
  meta?: Record<string, unknown>,
) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
});

const idOf = (line: Buffer): unknown => (JSON.parse(line.toString()) as { id?: unknown }).id;

const textOf = (message: Record<string, unknown>): string => {
  const result = message.result as { content?: { text?: string }[] } | undefined;
  return (result?.content ?? []).map((part) => part.text ?? '').join('');
};

void test('echo: pid file, ready line, initialize echo, its five tools, progress, ask-client, big', async (t) => {
  const { raw, pidFile, received } = await start(t, 'echo');
  assert.equal(await readPidFile(pidFile, WAIT_MS, raw.stderr), raw.pid);
  await raw.waitForStderr('echo fixture ready');
  const init = await raw.initialize();
  assert.deepEqual(init, {
    protocolVersion: '2025-06-18',
    capabilities: { tools: {} },
    serverInfo: { name: 'echo', version: '0.0.0' },
  });
  const { tools } = (await raw.request('tools/list')).result as { tools: { name: string }[] };
  assert.deepEqual(
    tools.map((tool) => tool.name),
    ['echo', 'sleep', 'progress', 'ask-client', 'big'],
  );
  assert.equal(
    textOf(await raw.request('tools/call', { name: 'echo', arguments: { text: 'hi' } })),
    'hi',
  );
  assert.equal(
    textOf(await raw.request('tools/call', { name: 'sleep', arguments: { ms: 20 } })),
    'slept 20 ms',
  );

  raw.send(call(101, 'progress', { count: 2 }, { progressToken: 'tok' }));
  for (const progress of [1, 2]) {
    assert.deepEqual(await raw.nextLine(), {
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'tok', progress, total: 2 },
    });
  }
  assert.equal(textOf(await raw.nextLine()), 'sent 2 progress notifications');

  raw.send(
    call(102, 'ask-client', {
      method: 'sampling/createMessage',
      params: { maxTokens: 1, messages: [] },
    }),
  );
  const asked = await raw.nextLine();
  assert.deepEqual(asked, {
    jsonrpc: '2.0',
    id: 0,
    method: 'sampling/createMessage',
    params: { maxTokens: 1, messages: [] },
  });
  raw.send({ jsonrpc: '2.0', id: 0, error: { code: -32601, message: 'no sampling here' } });
  assert.deepEqual(JSON.parse(textOf(await raw.nextLine())), {
    error: { code: -32601, message: 'no sampling here' },
  });
  raw.send(call(103, 'ask-client', { method: 'roots/list', sameId: true }));
  assert.deepEqual(await raw.nextLine(), { jsonrpc: '2.0', id: 103, method: 'roots/list' });

  assert.equal(
    textOf(await raw.request('tools/call', { name: 'big', arguments: { bytes: 70_000 } })).length,
    70_000,
  );
  await stop(raw);
  assert.deepEqual(
    received().map((message) => message.method ?? message.id),
    [
      'initialize',
      'notifications/initialized',
      'tools/list',
      'tools/call',
      'tools/call',
      'tools/call',
      'tools/call',
      0,
      'tools/call',
      'tools/call',
    ],
  );
});

void test('every fixture answers junk input as JSON-RPC 2.0 says (parse error, invalid request, CRLF)', async (t) => {
  const { raw } = await start(t, 'echo');
  raw.write('this is not json\n');
  assert.deepEqual(await raw.nextLine(), {
    jsonrpc: '2.0',
    id: null,
    error: { code: -32700, message: 'Parse error' },
  });
  raw.send([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
  assert.deepEqual(await raw.nextLine(), {
    jsonrpc: '2.0',
    id: null,
    error: { code: -32600, message: 'Invalid Request' },
  });
  raw.send({ jsonrpc: '1.0', id: 8, method: 'ping' });
  assert.deepEqual(await raw.nextLine(), {
    jsonrpc: '2.0',
    id: 8,
    error: { code: -32600, message: 'Invalid Request' },
  });
  raw.write('{"jsonrpc":"2.0","id":9,"method":"ping"}\r\n');
  assert.deepEqual(await raw.nextLine(), { jsonrpc: '2.0', id: 9, result: {} });
  raw.send({ jsonrpc: '2.0', id: 10, method: 'resources/list' });
  assert.deepEqual(await raw.nextLine(), {
    jsonrpc: '2.0',
    id: 10,
    error: { code: -32601, message: 'Method not found: resources/list' },
  });
  await stop(raw);
});

void test('stdout-noise: a banner, console.log and ANSI at start, non-JSON-RPC noise before each reply', async (t) => {
  const { raw } = await start(t, 'stdout-noise');
  const rawLine = async () => (await raw.nextRawLine()).toString('utf8');
  assert.match(await rawLine(), /^Server starting on stdio/);
  assert.equal(await rawLine(), 'debug: stdout-noise loaded its config');
  assert.match(await rawLine(), /^\u001b\[32m/);
  raw.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
  for (const noise of ['{"hello":1}', '[1,2]', '42']) assert.equal(await rawLine(), noise);
  assert.match(await rawLine(), /^Server starting on stdio/);
  assert.match(await rawLine(), /^\u001b\[32m/);
  assert.deepEqual(JSON.parse(await rawLine()), { jsonrpc: '2.0', id: 1, result: {} });
  await stop(raw);
});

void test('bad-frames: tool junk writes one invalid line per kind, then the reply', async (t) => {
  const { raw } = await start(t, 'bad-frames');
  await raw.initialize();
  const kinds = ['text', 'json-null', 'batch', 'invalid-utf8', 'result-and-error'];
  raw.send(call(5, 'junk', { kinds }));
  const lines: Buffer[] = [];
  while (lines.length < kinds.length) lines.push(await raw.nextRawLine());
  assert.equal(lines[1]!.toString(), 'null');
  assert.ok(lines[2]!.toString().startsWith('[{"jsonrpc":"2.0","method":"notifications/message"'));
  assert.ok(
    lines[3]!.includes(Buffer.from([0xff, 0xfe])),
    'the invalid-utf8 line carries raw 0xff 0xfe',
  );
  assert.deepEqual(JSON.parse(lines[4]!.toString()), {
    jsonrpc: '2.0',
    id: 5,
    result: {},
    error: { code: 1, message: 'both' },
  });
  assert.equal(textOf(await raw.nextLine()), `wrote ${kinds.length} junk lines`);
  await stop(raw);
});

void test('giant-line: giant writes a reply line of exactly N bytes; stall holds a line open', async (t) => {
  const { raw } = await start(t, 'giant-line');
  await raw.initialize();
  raw.send(call(2, 'giant', { bytes: 100_000 }));
  const line = await raw.nextRawLine();
  assert.equal(line.length, 100_000);
  assert.equal(idOf(line), 2);

  raw.send(call(3, 'stall', { bytes: 5000, pauseMs: 300 }));
  await raw.waitForStderr('stall: wrote 4999 of 5000 bytes');
  await waitFor(() => raw.buffered().partialBytes === 4999, WAIT_MS, raw.stderr);
  assert.equal(raw.buffered().lines, 0, 'no newline yet');
  const finished = await raw.nextRawLine();
  assert.equal(finished.length, 5000);
  assert.equal(idOf(finished), 3);
  await stop(raw);
});

void test('slow: answers initialize SLOW_INIT_MS late and tools SLOW_CALL_MS late', async (t) => {
  const { raw } = await start(t, 'slow', [], { SLOW_INIT_MS: '300', SLOW_CALL_MS: '50' });
  const init = raw.initialize();
  await raw.waitForStderr('slow: answering initialize in 300 ms');
  assert.equal(raw.buffered().lines, 0);
  await init;
  assert.equal(
    textOf(await raw.request('tools/call', { name: 'echo', arguments: { text: 'late' } })),
    'late',
  );
  await stop(raw);
});

for (const [how, expected] of [
  ['3', { code: 3, signal: null }],
  ['SIGKILL', { code: null, signal: 'SIGKILL' }],
] as const) {
  void test(`exit-mid-request ${how}: tool die ends the process without an answer`, async (t) => {
    const { raw } = await start(t, 'exit-mid-request', [how]);
    await raw.initialize();
    raw.send(call(2, 'die'));
    assert.deepEqual(await raw.exited, expected, raw.stderr());
    await assert.rejects(raw.nextRawLine(), /stdout ended with no further line/);
    await waitForExit(raw.pid, WAIT_MS, raw.stderr);
  });
}

void test('spawn-grandchild: grandchildren share its process group and outlive it', async (t) => {
  const { raw, dir } = await start(t, 'spawn-grandchild', [], (folder) => ({
    GRANDCHILD_PID_FILE: folder.join('grandchildren.pid'),
  }));
  const grandchildFile = dir.join('grandchildren.pid');
  const found = new Set<number>();
  t.after(() => killAll(found)); // runs after testDir's removal: keep the pids, not the file
  const first = await readPidFile(grandchildFile, WAIT_MS, raw.stderr);
  found.add(first);
  await raw.initialize();
  const second = Number(
    textOf(await raw.request('tools/call', { name: 'spawn-grandchild', arguments: {} })),
  );
  found.add(second);
  assert.deepEqual(await readPids(grandchildFile, 2, WAIT_MS, raw.stderr), [first, second]);
  if (process.platform === 'linux') {
    assert.equal(processGroup(first), processGroup(raw.pid));
    assert.equal(processGroup(second), processGroup(raw.pid));
  }
  await stop(raw);
  assert.ok(isAlive(first) && isAlive(second), 'grandchildren outlive the server: the orphan trap');
  killAll([first, second]);
  await waitForExit(first, WAIT_MS, 'grandchild');
  await waitForExit(second, WAIT_MS, 'grandchild');
});

void test('ignore-sigterm: survives SIGTERM and stdin EOF, dies to SIGKILL', async (t) => {
  const { raw } = await start(t, 'ignore-sigterm');
  await raw.initialize();
  process.kill(raw.pid, 'SIGTERM');
  await raw.waitForStderr('ignoring SIGTERM');
  assert.deepEqual((await raw.request('ping')).result, {});
  raw.child.stdin.end();
  await raw.waitForStderr('stdin closed; staying alive');
  assert.equal(isAlive(raw.pid), true);
  process.kill(raw.pid, 'SIGKILL');
  assert.deepEqual(await raw.exited, { code: null, signal: 'SIGKILL' });
  await waitForExit(raw.pid, WAIT_MS, raw.stderr);
});

for (const duplicate of [false, true]) {
  void test(`unknown-id${duplicate ? ' with UNKNOWN_ID_DUPLICATE=1' : ''}: stray replies around the real one`, async (t) => {
    const { raw } = await start(
      t,
      'unknown-id',
      [],
      duplicate ? { UNKNOWN_ID_DUPLICATE: '1' } : {},
    );
    await raw.initialize();
    raw.send(call(2, 'echo', { text: 'real' }));
    const ids = [];
    for (let count = duplicate ? 4 : 3; count > 0; count--) ids.push((await raw.nextLine()).id);
    assert.deepEqual(ids, duplicate ? [424242, 'nobody-asked', 2, 2] : [424242, 'nobody-asked', 2]);
    await stop(raw);
  });
}

void test('hang-on-ping 1: answers the first ping, never the second, and everything else', async (t) => {
  const { raw } = await start(t, 'hang-on-ping', ['1']);
  await raw.initialize();
  assert.deepEqual((await raw.request('ping')).result, {});
  raw.send({ jsonrpc: '2.0', id: 50, method: 'ping' });
  await raw.waitForStderr('ignoring ping 2');
  assert.equal(
    textOf(await raw.request('tools/call', { name: 'echo', arguments: { text: 'alive' } })),
    'alive',
  );
  assert.deepEqual(raw.skipped, [], 'ping 50 got no answer before the echo reply');
  await stop(raw);
});

void test('undeclared-request: asks the client at initialized, whatever it declared, and reports the answers', async (t) => {
  const { raw } = await start(t, 'undeclared-request', ['roots/list', 'sampling/createMessage']);
  await raw.initialize({});
  assert.deepEqual(await raw.nextLine(), { jsonrpc: '2.0', id: 0, method: 'roots/list' });
  assert.deepEqual(await raw.nextLine(), {
    jsonrpc: '2.0',
    id: 1,
    method: 'sampling/createMessage',
    params: { messages: [], maxTokens: 1 },
  });
  raw.send({ jsonrpc: '2.0', id: 0, result: { roots: [] } });
  raw.send({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } });
  await raw.waitForStderr('response to sampling/createMessage');
  const responses: unknown = JSON.parse(
    textOf(await raw.request('tools/call', { name: 'responses', arguments: {} })),
  );
  assert.deepEqual(responses, [
    { method: 'roots/list', response: { jsonrpc: '2.0', id: 0, result: { roots: [] } } },
    {
      method: 'sampling/createMessage',
      response: { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } },
    },
  ]);
  await stop(raw);
});
