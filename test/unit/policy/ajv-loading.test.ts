/**
 * ajv is not on the startup path nor in an idle session: building a server's pipeline, relaying
 * the handshake and the tool list load nothing of it; the first call that needs it loads it.
 * (Its own process: node:test runs each file in a fresh one, so the module cache starts empty.)
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { builtinDefaults } from '../../../src/config/builtin-defaults.js';
import { createServerPipeline } from '../../../src/policy/server-pipeline.js';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { callTool, request, response, toClient, toServer } from '../../helpers/policy.js';

const ajvLoaded = (): boolean =>
  Object.keys(createRequire(import.meta.url).cache).some((key) =>
    /[\\/]node_modules[\\/]ajv[\\/]/.test(key),
  );

void test('ajv loads only when a call first needs a schema, not for the handshake or the tool list', async () => {
  assert.equal(ajvLoaded(), false, 'nothing loaded it before the test');
  const pipeline = createServerPipeline({
    name: 's',
    command: 'x',
    args: [],
    cwd: '/',
    ...builtinDefaults('linux'),
  });
  const catalog = new ServerCatalog();
  pipeline.inspect(request('initialize', { capabilities: {} }), toServer(catalog));
  pipeline.inspect(
    response({ protocolVersion: '2025-06-18', capabilities: { tools: {} } }),
    toClient('initialize', {}, catalog),
  );
  await turn();
  assert.equal(ajvLoaded(), false, 'not by the handshake');
  const tools = { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] };
  catalog.observeResult('tools/list', {}, tools);
  pipeline.inspect(response(tools), toClient('tools/list', {}, catalog));
  assert.equal(ajvLoaded(), false, 'not while the list is relayed');
  await new Promise((resolve) => setTimeout(resolve, 0));
  await turn();
  assert.equal(ajvLoaded(), false, 'not after the list either (an idle session never holds it)');
  assert.equal(pipeline.inspect(callTool('echo', {}), toServer(catalog)).action, 'pass');
  assert.equal(ajvLoaded(), true, 'loaded by the first call that needs it');
});
