import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { SessionMemory } from '../../../src/relay/session-memory.js';
import { resumeSession, type ReplayTarget } from '../../../src/supervisor/replay.js';
import { collectAudit } from './fakes.js';

/** A relay stand-in: answers mcp-guard's requests from a table, and notes what it was told. */
function target(answers: Record<string, unknown>) {
  const memory = new SessionMemory();
  memory.onRequest('initialize', { protocolVersion: '2025-06-18', capabilities: {} });
  memory.onInitializeResult({ protocolVersion: '2025-06-18' });
  memory.initialized = true;
  memory.onRequest('resources/subscribe', { uri: 'file:///a' });
  const catalog = new ServerCatalog();
  catalog.observeResult('tools/list', {}, { tools: [{ name: 'old' }] });
  const log: string[] = [];
  const relay: ReplayTarget = {
    memory,
    catalog,
    request: (method) => {
      log.push(`request ${method}`);
      return method in answers ? Promise.resolve(answers[method]) : Promise.reject(new Error('no'));
    },
    notifyServer: (method) => void log.push(`server ${method}`),
    adoptListing: (kind, walk) => catalog.replace(kind, walk.items, walk.cut),
    release: () => void log.push('release'),
    notifyClient: (method) => void log.push(`client ${method}`),
  };
  return { relay, log, catalog };
}

function options(relay: ReplayTarget, isCurrent = () => true) {
  const audit = collectAudit();
  const echo = new PassThrough();
  let echoed = '';
  echo.on('data', (chunk: Buffer) => (echoed += chunk.toString('utf8')));
  return {
    audit,
    echoed: () => echoed,
    resume: {
      relay,
      timeoutMs: 1000,
      audit,
      server: 'srv',
      pid: 7,
      isCurrent,
      echo,
      prefix: '[srv] ',
    },
  };
}

const init = { protocolVersion: '2025-06-18', capabilities: { tools: {} } };

test('a resumed session: replayed in order, audited, released, and the client told what changed', async () => {
  const t = target({
    initialize: init,
    'resources/subscribe': {},
    'tools/list': { tools: [{ name: 'new' }] },
  });
  const o = options(t.relay);
  assert.deepEqual(await resumeSession(o.resume), { resumed: true });
  assert.deepEqual(t.log, [
    'request initialize',
    'server notifications/initialized',
    'request resources/subscribe',
    'request tools/list',
    'release',
    'client notifications/tools/list_changed',
  ]);
  assert.deepEqual(o.audit.records, [
    { event: 'session.replay', fields: { pid: 7, listsChanged: ['tools'] }, level: 'info' },
  ]);
  assert.deepEqual([...t.catalog.list('tools').items.keys()], ['new']);
});

test('a child on another protocol version refuses the session: audited, said on stderr, refused', async () => {
  const t = target({ initialize: { ...init, protocolVersion: '2024-11-05' } });
  const o = options(t.relay);
  const outcome = await resumeSession(o.resume);
  assert.deepEqual(outcome, {
    resumed: false,
    reason: 'the new child speaks protocol 2024-11-05, the session was opened with 2025-06-18',
    refused: true,
  });
  assert.equal(o.audit.records[0]!.level, 'warn');
  assert.equal(o.audit.records[0]!.fields.failed, (outcome as { reason: string }).reason);
  assert.match(o.echoed(), /^\[srv\] mcp-guard: server 'srv' cannot resume the session: /);
  assert.ok(!t.log.includes('release'));
});

test('a failed replay is no refusal: the child may be restarted', async () => {
  const t = target({ initialize: init });
  const o = options(t.relay);
  assert.deepEqual(await resumeSession(o.resume), { resumed: false, reason: 'no', refused: false });
  assert.equal(o.echoed(), '');
});

test('a child replaced meanwhile: nothing audited, nothing released', async () => {
  const t = target({ initialize: init, 'resources/subscribe': {}, 'tools/list': { tools: [] } });
  const o = options(t.relay, () => false);
  assert.equal(await resumeSession(o.resume), 'stale');
  assert.deepEqual(o.audit.records, []);
  assert.ok(!t.log.includes('release'));
});
