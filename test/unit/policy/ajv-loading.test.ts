/**
 * ajv is not on the startup path: building a server's pipeline and relaying the handshake load
 * nothing of it; a tool list starts loading it in the background; a call needs it at once.
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

void test('ajv loads only after the handshake: in the background once tools are listed', async () => {
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
  assert.equal(ajvLoaded(), true, 'warmed right after');
  assert.equal(pipeline.inspect(callTool('echo', {}), toServer(catalog)).action, 'pass');
});
