import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paramsProblem } from '../../../src/policy/params.js';
import { REQUEST_PARAMS } from '../../../src/policy/params-shapes.js';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { refusalLine } from '../../../src/policy/refusal.js';
import { notification, request, toServer } from '../../helpers/policy.js';

const init = {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'c', version: '1' },
};

/** One well-formed request of every client→server method of MCP 2024-11-05 … 2026-07-28. */
const VALID: Record<string, unknown> = {
  initialize: init,
  ping: undefined,
  'server/discover': {},
  'tools/list': { cursor: 'c' },
  'tools/call': { name: 'echo', arguments: { text: 'x' }, _meta: { progressToken: 3 } },
  'prompts/list': {},
  'prompts/get': { name: 'p', arguments: { a: 'b' } },
  'resources/list': undefined,
  'resources/templates/list': {},
  'resources/read': { uri: 'file:///x' },
  'resources/subscribe': { uri: 'file:///x' },
  'resources/unsubscribe': { uri: 'file:///x' },
  'logging/setLevel': { level: 'info' },
  'completion/complete': {
    ref: { type: 'ref/prompt', name: 'p' },
    argument: { name: 'a', value: 'b' },
    context: { arguments: { x: 'y' } },
  },
  'tasks/get': { taskId: 't' },
  'tasks/result': { taskId: 't' },
  'tasks/cancel': { taskId: 't' },
  'tasks/update': { taskId: 't', inputResponses: {} },
  'tasks/list': {},
  'subscriptions/listen': {
    notifications: { toolsListChanged: true, resourceSubscriptions: ['file:///x'] },
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
};

void test('every method has a well-formed example here, and it passes', () => {
  assert.deepEqual(Object.keys(VALID).sort(), Object.keys(REQUEST_PARAMS).sort());
  for (const [method, params] of Object.entries(VALID)) {
    assert.equal(paramsProblem(request(method, params)), undefined, method);
  }
});

const CASES: [string, string, unknown, string][] = [
  // The attacks as found, and other spellings a server's own code would still act on.
  [
    'tools/call',
    'name as an array',
    { name: ['denied'] },
    'tools/call: params.name must be a string, not an array',
  ],
  [
    'tools/call',
    'name as an object',
    { name: { toString: 'denied' } },
    'tools/call: params.name must be a string, not an object',
  ],
  [
    'tools/call',
    'name as a number',
    { name: 7 },
    'tools/call: params.name must be a string, not a number',
  ],
  ['tools/call', 'name null', { name: null }, 'tools/call: params.name must be a string, not null'],
  ['tools/call', 'no name', {}, 'tools/call: params.name is required'],
  [
    'tools/call',
    'arguments as an array',
    { name: 'x', arguments: ['/etc/passwd'] },
    'tools/call: params.arguments must be an object, not an array',
  ],
  [
    'tools/call',
    'arguments as a string',
    { name: 'x', arguments: '{"path":"/etc"}' },
    'tools/call: params.arguments must be an object, not a string',
  ],
  [
    'tools/call',
    'progress token as an object',
    { name: 'x', _meta: { progressToken: {} } },
    'tools/call: params._meta.progressToken must be a string or an integer, not an object',
  ],
  [
    'tools/call',
    '_meta as an array',
    { name: 'x', _meta: [] },
    'tools/call: params._meta must be an object, not an array',
  ],
  ['tools/call', 'params as an array', ['echo'], 'params of tools/call must be an object'],
  ['tools/call', 'no params', undefined, 'tools/call requires params'],
  [
    'resources/read',
    'uri as an array',
    { uri: ['file:///etc/passwd'] },
    'resources/read: params.uri must be a string, not an array',
  ],
  [
    'resources/read',
    'uri as an object',
    { uri: { href: 'file:///etc/passwd' } },
    'resources/read: params.uri must be a string, not an object',
  ],
  [
    'resources/subscribe',
    'uri as a number',
    { uri: 1 },
    'resources/subscribe: params.uri must be a string, not a number',
  ],
  ['resources/unsubscribe', 'no uri', {}, 'resources/unsubscribe: params.uri is required'],
  [
    'prompts/get',
    'name as an array',
    { name: ['p'] },
    'prompts/get: params.name must be a string, not an array',
  ],
  [
    'prompts/get',
    'an argument that is not a string',
    { name: 'p', arguments: { path: ['/etc'] } },
    'prompts/get: params.arguments["path"] must be a string, not an array',
  ],
  [
    'tools/list',
    'cursor as a number',
    { cursor: 2 },
    'tools/list: params.cursor must be a string, not a number',
  ],
  [
    'resources/list',
    'cursor as an object',
    { cursor: {} },
    'resources/list: params.cursor must be a string, not an object',
  ],
  [
    'initialize',
    'capabilities as an array',
    { ...init, capabilities: [] },
    'initialize: params.capabilities must be an object, not an array',
  ],
  [
    'initialize',
    'no protocolVersion',
    { capabilities: {}, clientInfo: init.clientInfo },
    'initialize: params.protocolVersion is required',
  ],
  [
    'initialize',
    'a protocolVersion as a number',
    { ...init, protocolVersion: 2025 },
    'initialize: params.protocolVersion must be a string, not a number',
  ],
  [
    'logging/setLevel',
    'level as an array',
    { level: ['debug'] },
    'logging/setLevel: params.level must be a string, not an array',
  ],
  [
    'completion/complete',
    'a ref of no known type',
    { ref: { type: 'x' }, argument: { name: 'a', value: 'b' } },
    'completion/complete: params.ref.type must be "ref/prompt" or "ref/resource"',
  ],
  [
    'completion/complete',
    'a resource ref without a string uri',
    { ref: { type: 'ref/resource', uri: ['u'] }, argument: { name: 'a', value: 'b' } },
    'completion/complete: params.ref.uri must be a string, not an array',
  ],
  [
    'completion/complete',
    'an argument value that is a number',
    { ref: { type: 'ref/prompt', name: 'p' }, argument: { name: 'a', value: 1 } },
    'completion/complete: params.argument.value must be a string, not a number',
  ],
  [
    'tasks/get',
    'taskId as a number',
    { taskId: 1 },
    'tasks/get: params.taskId must be a string, not a number',
  ],
  [
    'subscriptions/listen',
    'resource subscriptions with an array inside',
    { notifications: { resourceSubscriptions: [['file:///etc']] } },
    'subscriptions/listen: params.notifications.resourceSubscriptions[0] must be a string, not an array',
  ],
  [
    'subscriptions/listen',
    'no notifications',
    {},
    'subscriptions/listen: params.notifications is required',
  ],
  [
    'server/discover',
    'a client capability set that is an array',
    { _meta: { 'io.modelcontextprotocol/clientCapabilities': [] } },
    'server/discover: params._meta.io.modelcontextprotocol/clientCapabilities must be an object, not an array',
  ],
];

for (const [method, label, params, problem] of CASES) {
  void test(`${method}: ${label} is refused`, () => {
    assert.equal(paramsProblem(request(method, params)), problem);
  });
}

void test('notifications mcp-guard or the server act on are held to their shapes; others pass', () => {
  assert.equal(paramsProblem(notification('notifications/cancelled', { requestId: 3 })), undefined);
  assert.equal(
    paramsProblem(notification('notifications/cancelled', { requestId: [3] })),
    'notifications/cancelled: params.requestId must be a string or an integer, not an array',
  );
  assert.equal(
    paramsProblem(notification('notifications/progress', { progressToken: 1, progress: 'half' })),
    'notifications/progress: params.progress must be a finite number, not a string',
  );
  assert.equal(paramsProblem(notification('notifications/initialized')), undefined);
  assert.equal(paramsProblem(notification('vendor/thing', [1, 2])), undefined);
  assert.equal(paramsProblem(request('vendor/method', ['anything'])), undefined);
});

void test('the pipeline refuses a malformed request before any other check sees it', () => {
  const seen: string[] = [];
  const pipeline = createPipeline([
    { name: 'later', check: () => (seen.push('later'), { action: 'pass' }) },
  ]);
  const verdict = pipeline.inspect(request('tools/call', { name: ['denied'] }), toServer());
  assert.deepEqual(verdict, {
    action: 'deny',
    rule: 'params',
    reason: 'tools/call: params.name must be a string, not an array',
    code: -32602,
    invalid: true,
  });
  assert.deepEqual(seen, []);
  pipeline.inspect(request('tools/call', { name: 'fine' }), toServer());
  assert.deepEqual(seen, ['later']);
});

void test('the reply to a malformed tools/call is a JSON-RPC -32602 error, not a tool result', () => {
  const verdict = createPipeline([]).inspect(request('tools/call', { name: 5 }, 9), toServer());
  assert.equal(verdict.action, 'deny');
  if (verdict.action !== 'deny') return;
  assert.deepEqual(JSON.parse(refusalLine(9, 'tools/call', 'files', verdict)), {
    jsonrpc: '2.0',
    id: 9,
    error: {
      code: -32602,
      message: 'Invalid params: tools/call: params.name must be a string, not a number',
      data: {
        rule: 'params',
        reason: 'tools/call: params.name must be a string, not a number',
        server: 'files',
      },
    },
  });
});
