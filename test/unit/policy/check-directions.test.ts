/**
 * A check that declares one direction is not asked about the other (pipeline.ts): that is only
 * right if it would have passed every such message itself. Each declaring check of a server
 * pipeline with every option on is handed messages of the other direction — requests,
 * notifications, results, errors and listings, in both eras — and must pass them all.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtinDefaults } from '../../../src/config/builtin-defaults.js';
import type { ServerConfig } from '../../../src/config/types.js';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { createParamsCheck } from '../../../src/policy/params.js';
import { serverChecks } from '../../../src/policy/server-pipeline.js';
import { PASS } from '../../../src/policy/verdict.js';
import { tempDir } from '../../helpers/temp-dir.js';
import {
  callTool,
  message,
  notification,
  request,
  response,
  toClient,
  toServer,
} from '../../helpers/policy.js';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };

function richServer(root: string): ServerConfig {
  const s: ServerConfig = {
    name: 'srv',
    command: 'node',
    args: [],
    cwd: root,
    ...builtinDefaults('linux'),
  };
  s.paths.roots = [root];
  s.paths.readOnly = [join(root, 'ro')];
  s.paths.deny = ['**/.env'];
  s.tools.deny = ['move_file'];
  s.tools.pathArgs = { echo: ['text'] };
  s.limits.callsPerMinute = 1;
  s.output.redact = ['aws', 'github', 'internal-[0-9]{3}'];
  s.output.maxResultBytes = 10;
  return s;
}

const TOOL = {
  name: 'echo',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
};

/** Messages a client sends (judged server-to-client here, so each must pass). */
const fromClient = () => [
  callTool('echo', { text: '/etc/passwd internal-123' }),
  callTool('move_file', {}),
  callTool(42 as unknown as string),
  request('resources/read', { uri: 'file:///etc/shadow' }),
  request('tools/list'),
  request('tools/call', { name: 'echo', arguments: { text: 'x' }, _meta: META }),
  notification('notifications/cancelled', { requestId: 1 }),
  response({ roots: [{ uri: 'file:///' }] }),
  message({ jsonrpc: '2.0', id: 3, error: { code: -1, message: 'internal-123 '.repeat(20) } }),
];

/** Messages a server sends (judged client-to-server here, so each must pass). */
const fromServer = () => [
  response({
    content: [{ type: 'text', text: `AKIA${'A'.repeat(16)} \u001b[31m ${'y'.repeat(50)}` }],
  }),
  response({ tools: [TOOL, { name: 'move_file', inputSchema: { type: 'object' } }] }),
  response({
    resultType: 'input_required',
    inputRequests: { a: { method: 'sampling/createMessage', params: {} } },
  }),
  message({ jsonrpc: '2.0', id: 1, error: { code: -1, message: 'x'.repeat(100) } }),
  request('sampling/createMessage', { messages: [] }),
  request('roots/list'),
  request('tools/call', { name: 'move_file' }),
  notification('notifications/message', { level: 'info', data: 'internal-123' }),
  notification('notifications/tools/list_changed'),
];

void test('every check that declares a direction passes every message of the other direction', (t) => {
  const root = tempDir(t, 'check-directions-');
  const checks = [
    createParamsCheck(),
    ...serverChecks(richServer(root), { manifestFile: join(root, 'mcp-guard.yaml') }),
  ];
  const declaring = checks.filter((check) => check.direction !== undefined);
  // The checks the pipeline skips in one direction or the other: keep this list honest.
  assert.deepEqual(declaring.map((check) => `${check.name} ${check.direction}`).sort(), [
    'arguments client-to-server',
    'input-shape server-to-client',
    'output-schema server-to-client',
    'params client-to-server',
    'paths client-to-server',
    'rate-limit client-to-server',
    'result-size server-to-client',
    'result-size-first server-to-client',
    'result-type server-to-client',
    'sanitize server-to-client',
  ]);
  const catalog = new ServerCatalog();
  catalog.observeResult('tools/list', {}, { tools: [TOOL] });
  for (const check of declaring) {
    if (check.direction === 'client-to-server') {
      for (const [method, params] of [
        ['tools/call', { name: 'echo', arguments: { text: 'x' } }],
        ['tools/call', { name: 'echo', arguments: { text: 'x' }, _meta: META }],
        ['tools/list', {}],
        [undefined, {}],
      ] as const) {
        for (const m of fromServer()) {
          assert.equal(
            check.check(m, toClient(method, params, catalog)),
            PASS,
            `${check.name}: ${JSON.stringify(m.body)}`,
          );
        }
      }
    } else {
      for (const m of fromClient()) {
        assert.equal(
          check.check(m, toServer(catalog)),
          PASS,
          `${check.name}: ${JSON.stringify(m.body)}`,
        );
      }
    }
  }
});
