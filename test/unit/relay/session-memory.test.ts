import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { isIdempotent, SessionMemory } from '../../../src/relay/session-memory.js';

test('SessionMemory keeps initialize, the last setLevel and live subscriptions', () => {
  const memory = new SessionMemory();
  memory.onRequest('initialize', { protocolVersion: '2025-06-18', capabilities: { roots: {} } });
  memory.onRequest('logging/setLevel', { level: 'debug' });
  memory.onRequest('logging/setLevel', { level: 'error' });
  memory.onRequest('resources/subscribe', { uri: 'a' });
  memory.onRequest('resources/subscribe', { uri: 'b' });
  memory.onRequest('resources/unsubscribe', { uri: 'a' });
  memory.onRequest('resources/subscribe', { uri: 7 });
  memory.onRequest('tools/list', {});
  assert.deepEqual(memory.initialize?.capabilities, { roots: {} });
  assert.deepEqual(memory.logLevel, { level: 'error' });
  assert.deepEqual([...memory.subscriptions], ['b']);
  memory.onInitializeResult({ protocolVersion: '2025-06-18' });
  memory.onInitializeResult({ protocolVersion: '2024-11-05' });
  assert.equal(memory.protocolVersion, '2025-06-18', 'the first handshake is the session');
});

test("SessionMemory: the era from the client's requests, and the stateless version it declared", () => {
  const memory = new SessionMemory();
  const meta = (version: string) => ({
    _meta: { 'io.modelcontextprotocol/protocolVersion': version },
  });
  memory.onClientRequest('tools/list', {});
  assert.equal(memory.era, undefined);
  memory.onClientRequest('server/discover', meta('2026-07-28'));
  assert.equal(memory.era, 'stateless');
  assert.equal(memory.statelessVersion, '2026-07-28');
  memory.onClientRequest('initialize', { protocolVersion: '2025-11-25' });
  assert.equal(memory.era, 'session', 'the fallback after a probe');
  memory.onClientRequest('tools/list', meta('2026-07-28'));
  assert.equal(memory.era, 'session');
});

test('isIdempotent: lists, resources/read, ping, initialize, and read-only tools only', () => {
  const catalog = new ServerCatalog();
  catalog.observeResult(
    'tools/list',
    {},
    {
      tools: [
        { name: 'read', annotations: { readOnlyHint: true } },
        { name: 'write', annotations: { readOnlyHint: false } },
      ],
    },
  );
  const entry = (method: string, tool?: string) => ({
    id: 1,
    method,
    params: {},
    startedAt: 0,
    ...(tool === undefined ? {} : { tool }),
  });
  const table: [string, string | undefined, boolean][] = [
    ['tools/list', undefined, true],
    ['resources/list', undefined, true],
    ['resources/templates/list', undefined, true],
    ['prompts/list', undefined, true],
    ['resources/read', undefined, true],
    ['ping', undefined, true],
    ['initialize', undefined, true],
    ['tools/call', 'read', true],
    ['tools/call', 'write', false],
    ['tools/call', 'unknown', false],
    ['tools/call', undefined, false],
    ['prompts/get', undefined, false],
    ['resources/subscribe', undefined, false],
    ['completion/complete', undefined, false],
  ];
  for (const [method, tool, expected] of table) {
    assert.equal(isIdempotent(entry(method, tool), catalog), expected, `${method} ${tool ?? ''}`);
  }
});
