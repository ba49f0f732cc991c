/**
 * The raw client's `strayLines` — what every e2e test checks to show mcp-guard's stdout carries
 * only JSON-RPC — against DIRECT fixture servers: it flags every kind of junk line a server can
 * write (test/fixtures/lib/junk.mjs), and nothing else. Without this, "no stray line through
 * mcp-guard" could pass for a detector that sees nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fixtureCommand } from '../helpers/fixtures.js';
import { FIXTURES } from '../helpers/paths.js';
import { killAll, spawnRaw } from '../helpers/processes.js';
import { isJsonRpcMessage, type JsonObject, type RawChild } from '../helpers/raw-client.js';

const junkModule = pathToFileURL(join(FIXTURES, 'lib', 'junk.mjs')).href;

/** Sends a request and reads raw lines (noise included) until its valid, successful response. */
async function ask(raw: RawChild, id: number, method: string, params: JsonObject = {}) {
  raw.send({ jsonrpc: '2.0', id, method, params });
  for (;;) {
    const line = (await raw.nextRawLine()).toString('utf8');
    const message = (() => {
      try {
        return JSON.parse(line) as JsonObject;
      } catch {
        return undefined;
      }
    })();
    if (message?.id === id && 'result' in message && isJsonRpcMessage(message)) return message;
  }
}

const INIT = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'harness', version: '0' },
};

void test('isJsonRpcMessage: requests, notifications and responses yes; near misses no', () => {
  const yes = [
    { jsonrpc: '2.0', id: 1, method: 'm' },
    { jsonrpc: '2.0', id: 's', method: 'm', params: {} },
    { jsonrpc: '2.0', method: 'notifications/x' },
    { jsonrpc: '2.0', id: 0, result: null },
    { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
  ];
  const no = [
    42,
    null,
    [],
    { hello: 1 },
    { jsonrpc: '1.0', id: 1, method: 'm' },
    { id: 1, method: 'm' },
    { jsonrpc: '2.0', id: {}, method: 'm' },
    { jsonrpc: '2.0', id: 1, method: 5 },
    { jsonrpc: '2.0', id: 1 },
    { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'm' } },
    { jsonrpc: '2.0', id: 1, error: 'not an object' },
    { jsonrpc: '2.0', id: null, result: {} },
  ];
  for (const value of yes) assert.equal(isJsonRpcMessage(value), true, JSON.stringify(value));
  for (const value of no) assert.equal(isJsonRpcMessage(value), false, JSON.stringify(value));
});

void test(
  'strayLines flags each junk kind bad-frames writes, and none of its replies',
  { timeout: 60_000 },
  async (t) => {
    const { junk } = (await import(junkModule)) as { junk: Record<string, unknown> };
    const { command, args } = fixtureCommand('bad-frames');
    const raw = await spawnRaw(command, args);
    t.after(() => killAll([raw.pid]));
    await ask(raw, 1, 'initialize', INIT);
    let id = 2;
    for (const kind of Object.keys(junk)) {
      const before = raw.strayLines.length;
      const reply = await ask(raw, id++, 'tools/call', {
        name: 'junk',
        arguments: { kinds: [kind] },
      });
      assert.ok('result' in reply, kind);
      assert.equal(raw.strayLines.length, before + 1, `${kind}: ${raw.strayLines.join(' | ')}`);
    }
    await raw.close();
  },
);

void test('strayLines: stdout-noise’s start-up noise is flagged, echo writes none', async (t) => {
  const noisy = fixtureCommand('stdout-noise');
  const raw = await spawnRaw(noisy.command, noisy.args);
  t.after(() => killAll([raw.pid]));
  await ask(raw, 1, 'initialize', INIT);
  // Banner, console.log, ANSI at start; then five junk lines before the initialize reply.
  assert.equal(raw.strayLines.length, 3 + 5, raw.strayLines.join(' | '));
  await raw.close();

  const echo = fixtureCommand('echo');
  const clean = await spawnRaw(echo.command, echo.args);
  t.after(() => killAll([clean.pid]));
  await clean.initialize();
  await clean.request('tools/call', { name: 'echo', arguments: { text: 'x' } });
  await clean.close();
  assert.deepEqual(clean.strayLines, []);
});
