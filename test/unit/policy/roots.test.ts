import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { classify, type RpcMessage } from '../../../src/protocol/jsonrpc.js';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { createRootsCheck } from '../../../src/policy/roots.js';
import { ServerCatalog } from '../../../src/policy/catalog.js';

const message = (value: unknown): RpcMessage => {
  const parsed = classify(value);
  assert.ok(parsed.ok);
  return parsed.message;
};
const pipeline = createPipeline([createRootsCheck(['/work/project', '/data'])]);
const toServer = {
  direction: 'client-to-server' as const,
  server: 's',
  catalog: new ServerCatalog(),
};
const toClient = {
  direction: 'server-to-client' as const,
  server: 's',
  catalog: new ServerCatalog(),
};

test("the client's initialize declares roots to the server, keeping its other capabilities", () => {
  const init = message({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: { sampling: {} },
      clientInfo: { name: 'c', version: '1' },
    },
  });
  const verdict = pipeline.inspect(init, toServer);
  assert.equal(verdict.action, 'rewrite');
  if (verdict.action !== 'rewrite') return;
  assert.deepEqual((verdict.message.body.params as { capabilities: unknown }).capabilities, {
    sampling: {},
    roots: {},
  });
  assert.equal(verdict.message.body.id, 1, 'the id is untouched');
});

test("the server's roots/list is answered with the manifest's roots as file URIs", () => {
  const verdict = pipeline.inspect(
    message({ jsonrpc: '2.0', id: 'r1', method: 'roots/list' }),
    toClient,
  );
  assert.deepEqual(verdict, {
    action: 'answer',
    rule: 'roots',
    result: {
      roots: [
        { uri: pathToFileURL('/work/project').href, name: 'project' },
        { uri: pathToFileURL('/data').href, name: 'data' },
      ],
    },
  });
});

test("the client's roots changes go no further; other messages pass", () => {
  const changed = message({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
  assert.equal(pipeline.inspect(changed, toServer).action, 'deny');
  const cases = [
    [message({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), toServer],
    [message({ jsonrpc: '2.0', id: 3, method: 'sampling/createMessage', params: {} }), toClient],
    [message({ jsonrpc: '2.0', id: 4, method: 'roots/list' }), toServer],
  ] as const;
  for (const [m, context] of cases) assert.equal(pipeline.inspect(m, context).action, 'pass');
});

test('observe (the observe profile carries strict’s roots): roots/list is still answered with the manifest’s roots; the client’s roots changes pass, recorded as would-deny', () => {
  const observed = createPipeline([createRootsCheck(['/work/project'])], { observe: true });
  const answer = observed.inspect(
    message({ jsonrpc: '2.0', id: 1, method: 'roots/list' }),
    toClient,
  );
  assert.equal(answer.action, 'answer');
  const would: string[] = [];
  const recording = createPipeline([createRootsCheck(['/work/project'])], {
    observe: true,
    onWouldDeny: (verdict) => would.push(verdict.action === 'deny' ? verdict.rule : ''),
  });
  const changed = message({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
  assert.equal(recording.inspect(changed, toServer).action, 'pass');
  assert.deepEqual(would, ['roots']);
});
