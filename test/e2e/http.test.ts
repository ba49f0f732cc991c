/**
 * `mcp-guard up --http` end to end: the SDK's Streamable HTTP clients (v1, and v2 for the
 * 2026-07-28 era) through the built CLI to fixture servers; the front's refusals (401, 403, 413)
 * by raw requests; TLS with a certificate made in the test; the session era's children.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { generate } from 'selfsigned';
import { connectHttp, startHttpUp } from '../helpers/http-up.js';
import { INITIALIZE, postHeaders, rawRequest } from '../helpers/http-raw.js';
import { isAlive, readPids, tempDir, waitUntilDead } from '../helpers/guard-process.js';
import { CLI, FIXTURES } from '../helpers/paths.js';

const echo = (dir: string, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [join(FIXTURES, 'echo.mjs')],
  env: { PID_FILE: join(dir, 'echo.pid'), RECV_LOG: join(dir, 'recv.log') },
  sandbox: { mode: 'off' },
  ...extra,
});

const auditRecords = (dir: string): Record<string, unknown>[] =>
  readFileSync(join(dir, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

test('up --http: the SDK client lists and calls tools with the token; refusals without it, from a foreign Origin or Host, and over the body bound', async (t) => {
  const dir = tempDir(t);
  const up = await startHttpUp(t, dir, {
    echo: echo(dir, { limits: { maxMessageBytes: '64KiB' } }),
  });
  const entry = up.entries.echo!;
  assert.equal(entry.type, 'streamableHttp');
  assert.equal(entry.url, `${up.origin}/echo/mcp`);
  assert.match(entry.headers.Authorization, /^Bearer [A-Za-z0-9_-]{43}$/);
  assert.equal(readFileSync(join(dir, '.mcp-guard', 'token'), 'utf8').trim(), up.token);

  const { client, transport } = await connectHttp(entry);
  const tools = await client.listTools();
  assert.ok(tools.tools.some((tool) => tool.name === 'echo'));
  const result = await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'over http' }]);
  const session = transport.sessionId;
  assert.ok(session !== undefined);

  const post = (headers: Record<string, string>, body = INITIALIZE) =>
    rawRequest(entry.url, { method: 'POST', headers, body });
  assert.equal((await post(postHeaders(null))).status, 401);
  assert.equal((await post(postHeaders('x'.repeat(43)))).status, 401);
  assert.equal((await post(postHeaders(`${up.token}x`))).status, 401);
  const foreign = await post(postHeaders(up.token, { origin: 'https://evil.example' }));
  assert.equal(foreign.status, 403);
  const port = new URL(up.origin).port;
  const rebound = await post(postHeaders(up.token, { host: `evil.example:${port}` }));
  assert.equal(rebound.status, 403);
  const own = await post(postHeaders(up.token, { origin: up.origin }));
  assert.equal(own.status, 200, own.body);
  await rawRequest(entry.url, {
    method: 'DELETE',
    headers: {
      authorization: `Bearer ${up.token}`,
      'mcp-session-id': String(own.headers['mcp-session-id']),
    },
  });

  const health = await rawRequest(`${up.origin}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(JSON.parse(health.body), { status: 'ok', servers: { echo: 'ready' } });

  const marker = 'OVERSIZED-BODY-MARKER';
  const big = JSON.stringify({
    jsonrpc: '2.0',
    id: 9,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: `${marker}${'x'.repeat(70 * 1024)}` } },
  });
  const tooLarge = await post(postHeaders(up.token, { 'mcp-session-id': session }), big);
  assert.equal(tooLarge.status, 413);
  assert.equal((JSON.parse(tooLarge.body) as { error: { code: number } }).error.code, -31053);
  // The session goes on after the refusal, and the server never saw the body.
  const after = await client.callTool({ name: 'echo', arguments: { text: 'still here' } });
  assert.deepEqual(after.content, [{ type: 'text', text: 'still here' }]);
  assert.doesNotMatch(readFileSync(join(dir, 'recv.log'), 'utf8'), new RegExp(marker));
  await transport.terminateSession();
  await client.close();

  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
  const records = auditRecords(dir);
  const calls = records.filter((r) => r.event === 'rpc.request' && r.method === 'tools/call');
  assert.ok(calls.length >= 2);
  for (const call of calls) {
    assert.equal(call.session, session);
    assert.match(String(call.remote), /^127\.0\.0\.1:\d+$/);
  }
  const verify = spawnSync(
    process.execPath,
    [CLI, 'logs', '-c', join(dir, 'mcp-guard.yaml'), '--verify'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
});

test('up --http: each client session has a child of its own, DELETE stops it, and a session survives its child being killed', async (t) => {
  const dir = tempDir(t);
  const up = await startHttpUp(t, dir, { echo: echo(dir) });
  const pidFile = join(dir, 'echo.pid');
  const [main] = await readPids(pidFile, 1);
  const a = await connectHttp(up.entries.echo!);
  const [, pidA] = await readPids(pidFile, 2);
  const b = await connectHttp(up.entries.echo!);
  const [, , pidB] = await readPids(pidFile, 3);
  assert.ok(new Set([main, pidA, pidB]).size === 3, 'three children');
  const call = async (client: typeof a.client, text: string) =>
    (await client.callTool({ name: 'echo', arguments: { text } })).content;
  const [fromA, fromB] = await Promise.all([call(a.client, 'a'), call(b.client, 'b')]);
  assert.deepEqual(fromA, [{ type: 'text', text: 'a' }]);
  assert.deepEqual(fromB, [{ type: 'text', text: 'b' }]);

  await a.transport.terminateSession();
  await waitUntilDead(pidA!, 5000, () => `session A's child; stderr:\n${up.stderr()}`);
  assert.ok(isAlive(pidB!) && isAlive(main!));

  process.kill(pidB!, 'SIGKILL');
  const [, , , restarted] = await readPids(pidFile, 4, 15_000, () => up.stderr());
  assert.ok(restarted !== pidB);
  assert.deepEqual(await call(b.client, 'after restart'), [
    { type: 'text', text: 'after restart' },
  ]);
  await b.transport.terminateSession();
  await waitUntilDead(restarted!, 5000, () => `session B's child; stderr:\n${up.stderr()}`);
  await Promise.all([a.client.close(), b.client.close()]);
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
  await waitUntilDead(main!, 5000, 'the main child');
});

test('up --http: a 2026-07-28 client (SDK v2, negotiating) works over the same endpoint; stateless requests have their Mcp-Method checked', async (t) => {
  const dir = tempDir(t);
  const up = await startHttpUp(t, dir, { echo: echo(dir) });
  const entry = up.entries.echo!;
  const transport = new TransportV2(new URL(entry.url), {
    requestInit: { headers: entry.headers },
  });
  const client = new ClientV2(
    { name: 'v2-client', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(transport);
  const tools = await client.listTools();
  assert.ok(tools.tools.some((tool) => tool.name === 'echo'));
  const result = await client.callTool({ name: 'echo', arguments: { text: 'v2' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'v2' }]);
  await client.close();

  // A stateless-era request: its version and capabilities in _meta, its method in a header.
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
  };
  const body = (id: number) =>
    JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list', params: { _meta: meta } });
  const headers = (method: string) =>
    postHeaders(up.token, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method });
  const listed = await rawRequest(entry.url, {
    method: 'POST',
    headers: headers('tools/list'),
    body: body(7),
  });
  assert.equal(listed.status, 200, listed.body);
  const reply = JSON.parse(listed.body) as { id: number };
  assert.equal(reply.id, 7, "the answer carries the client's own id");
  const mismatch = await rawRequest(entry.url, {
    method: 'POST',
    headers: headers('tools/call'),
    body: body(8),
  });
  assert.equal(mismatch.status, 400, mismatch.body);
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
});

test('up --http with --tls-cert/--tls-key serves HTTPS with a self-signed certificate', async (t) => {
  const dir = tempDir(t);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  writeFileSync(join(dir, 'cert.pem'), pems.cert);
  writeFileSync(join(dir, 'key.pem'), pems.private, { mode: 0o600 });
  const up = await startHttpUp(t, dir, { echo: echo(dir) }, [
    '--tls-cert',
    join(dir, 'cert.pem'),
    '--tls-key',
    join(dir, 'key.pem'),
  ]);
  const entry = up.entries.echo!;
  assert.match(entry.url, /^https:\/\/127\.0\.0\.1:\d+\/echo\/mcp$/);
  const reply = await rawRequest(entry.url, {
    method: 'POST',
    headers: postHeaders(up.token),
    body: INITIALIZE,
    ca: pems.cert,
  });
  assert.equal(reply.status, 200, reply.body);
  assert.match(reply.body, /"protocolVersion"/);
  await assert.rejects(
    rawRequest(entry.url, { method: 'POST', headers: postHeaders(up.token), body: INITIALIZE }),
  );
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());
});

test('up --http on a non-loopback address without TLS exits 2 and says why, before starting anything', (t) => {
  const dir = tempDir(t);
  const manifest = join(dir, 'mcp-guard.yaml');
  writeFileSync(manifest, JSON.stringify({ version: 1, servers: { echo: echo(dir) } }));
  const run = spawnSync(process.execPath, [CLI, 'up', '-c', manifest, '--http', '0.0.0.0:8931'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /0\.0\.0\.0 is not a loopback address.*--tls-cert and --tls-key/);
  assert.equal(run.stdout, '');
  assert.throws(() => readFileSync(join(dir, 'echo.pid')), /ENOENT/);
});

test('up --http: v2 SDK clients pinned to 2026-07-28 list and call a dual-era server statelessly, through one shared child', async (t) => {
  const dir = tempDir(t);
  const up = await startHttpUp(t, dir, {
    dual: {
      command: process.execPath,
      args: [join(FIXTURES, 'dual-era.mjs')],
      sandbox: { mode: 'off' },
    },
  });
  const entry = up.entries.dual!;
  const connect = async () => {
    const client = new ClientV2(
      { name: 'v2-pinned', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new TransportV2(new URL(entry.url), { requestInit: { headers: entry.headers } }),
    );
    return client;
  };
  const [first, second] = [await connect(), await connect()];
  assert.equal(first.getNegotiatedProtocolVersion?.(), '2026-07-28');
  const tools = await first.listTools();
  assert.ok(tools.tools.some((tool) => tool.name === 'echo'));
  const [a, b] = await Promise.all([
    first.callTool({ name: 'echo', arguments: { message: 'one' } }),
    second.callTool({ name: 'echo', arguments: { message: 'two' } }),
  ]);
  assert.deepEqual(a.content, [{ type: 'text', text: 'one' }]);
  assert.deepEqual(b.content, [{ type: 'text', text: 'two' }]);
  await Promise.all([first.close(), second.close()]);
  const [code] = await up.stop();
  assert.equal(code, 0, up.stderr());

  const records = auditRecords(dir);
  const starts = records.filter((r) => r.event === 'guard.start');
  assert.deepEqual(starts.map((r) => r.command).sort(), ['up', 'up --http (stateless)']);
  const calls = records.filter((r) => r.event === 'rpc.request' && r.method === 'tools/call');
  assert.equal(calls.length, 2);
  const shared = starts.find((r) => r.command === 'up --http (stateless)')!.session;
  for (const call of calls) assert.equal(call.session, shared, 'both in the shared chain');
});
