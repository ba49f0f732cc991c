/**
 * The path check as the pipeline sees it: which messages it reads, the refusal each gets (SPEC 6
 * shapes), when it touches the filesystem, and how a server's configuration turns it on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinDefaults } from '../../../src/config/builtin-defaults.js';
import type { ServerConfig } from '../../../src/config/types.js';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { createPathsCheck, createServerPathChecks } from '../../../src/policy/paths/paths-check.js';
import type { CheckContext } from '../../../src/policy/pipeline.js';
import { refusalLine } from '../../../src/policy/refusal.js';
import { createServerPipeline } from '../../../src/policy/server-pipeline.js';
import type { Verdict } from '../../../src/policy/verdict.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { classify, type RpcMessage } from '../../../src/protocol/jsonrpc.js';
import { fakeFs } from './paths-fake-fs.js';

const tree = {
  '/work/proj/a.txt': 'file',
  '/work/proj/sub/b.txt': 'file',
  '/docs/manual.md': 'file',
  '/etc/passwd': 'file',
} as const;

const message = (value: Record<string, unknown>): RpcMessage => {
  const parsed = classify({ jsonrpc: '2.0', ...value });
  assert.ok(parsed.ok);
  return parsed.message;
};
const request = (method: string, params: unknown, id: number | string = 1) =>
  message({ id, method, params });
const toServer = (catalog = new ServerCatalog()): CheckContext => ({
  direction: 'client-to-server',
  server: 'files',
  catalog,
});

function makeCheck(fs = fakeFs(tree)) {
  return createPathsCheck({
    paths: { roots: ['/work/proj'], readOnly: ['/docs'], deny: ['**/secret*'] },
    pathArgs: {},
    cwd: '/work/proj',
    home: '/home/me',
    platform: 'linux',
    fs,
    ignoresCase: () => false,
  });
}

const outcome = (verdict: Verdict) =>
  verdict.action === 'deny' ? `deny: ${verdict.reason}` : verdict.action;

void test('resources/read and resources/subscribe: file: URIs and paths are checked, as reads', () => {
  const check = makeCheck();
  const table: [method: string, uri: unknown, expected: RegExp][] = [
    ['resources/read', 'file:///work/proj/a.txt', /^pass$/],
    ['resources/read', 'file:///docs/manual.md', /^pass$/],
    [
      'resources/read',
      'file:///etc/passwd',
      /^deny: resource uri "file:\/\/\/etc\/passwd" resolves to \/etc\/passwd, outside/,
    ],
    ['resources/read', 'file:///work/proj/%2e%2e/%2e%2e/etc/passwd', /resolves to \/etc\/passwd/],
    ['resources/read', 'file:///work/proj/secret.key', /paths\.deny glob "\*\*\/secret\*"/],
    ['resources/read', 'file://attacker/share/x', /another host/],
    ['resources/read', '/etc/passwd', /resolves to \/etc\/passwd/],
    ['resources/read', 'demo://resource/static/1', /^pass$/],
    ['resources/read', 'https://example.com/etc/passwd', /^pass$/],
    ['resources/read', 42, /^pass$/],
    ['resources/subscribe', 'file:///etc/passwd', /resolves to \/etc\/passwd/],
    ['resources/subscribe', 'file:///work/proj/a.txt', /^pass$/],
  ];
  for (const [method, uri, expected] of table)
    assert.match(
      outcome(check.check(request(method, { uri }), toServer())),
      expected,
      `${method} ${String(uri)}`,
    );
});

void test('prompts/get: path arguments are checked, and a prompt is not a read-only use', () => {
  const check = makeCheck();
  const get = (args: unknown) =>
    outcome(check.check(request('prompts/get', { name: 'p', arguments: args }), toServer()));
  assert.equal(get({ file: 'a.txt', style: 'short' }), 'pass');
  assert.match(
    get({ file: '/etc/passwd' }),
    /^deny: argument file "\/etc\/passwd" resolves to \/etc\/passwd/,
  );
  assert.match(get({ file: '/docs/manual.md' }), /read-only path \/docs/);
  assert.equal(get(undefined), 'pass');
});

void test('only client→server requests are read', () => {
  const check = makeCheck();
  const bad = { name: 'read_file', arguments: { path: '/etc/passwd' } };
  assert.equal(check.check(request('tools/call', bad), toServer()).action, 'deny');
  const fromServer: CheckContext = { ...toServer(), direction: 'server-to-client' };
  assert.equal(check.check(request('tools/call', bad), fromServer).action, 'pass');
  assert.equal(
    check.check(message({ method: 'tools/call', params: bad }), toServer()).action,
    'pass',
  );
  assert.equal(
    check.check(request('tools/list', { cursor: '/etc/passwd' }), toServer()).action,
    'pass',
  );
  assert.equal(check.check(request('tools/call', ['/etc/passwd']), toServer()).action, 'pass');
  assert.equal(
    check.check(message({ id: 3, result: { path: '/etc/passwd' } }), toServer()).action,
    'pass',
  );
});

void test('read-only folders serve only tools the server annotates readOnlyHint: true', () => {
  const catalog = new ServerCatalog();
  catalog.observeResult(
    'tools/list',
    {},
    {
      tools: [
        { name: 'read', inputSchema: {}, annotations: { readOnlyHint: true } },
        { name: 'write', inputSchema: {}, annotations: { readOnlyHint: false } },
        { name: 'plain', inputSchema: {} },
      ],
    },
  );
  const check = makeCheck();
  const use = (tool: string) =>
    check.check(
      request('tools/call', { name: tool, arguments: { path: '/docs/manual.md' } }),
      toServer(catalog),
    ).action;
  assert.deepEqual(['read', 'write', 'plain', 'unlisted'].map(use), [
    'pass',
    'deny',
    'deny',
    'deny',
  ]);
});

void test('refusals: tools/call gets an isError result, resources/read error -31050 (SPEC 6)', () => {
  const check = makeCheck();
  const call = request(
    'tools/call',
    { name: 'read_multiple_files', arguments: { paths: ['a.txt', '/etc/passwd'] } },
    9,
  );
  const verdict = check.check(call, toServer());
  assert.equal(verdict.action, 'deny');
  if (verdict.action !== 'deny' || call.kind !== 'request') return;
  assert.deepEqual(verdict.data, { argument: 'paths[1]', path: '/etc/passwd' });
  const reply = JSON.parse(refusalLine(call.id, call.method, 'files', verdict)) as {
    id: number;
    result: { isError: boolean; content: { type: string; text: string }[] };
  };
  assert.equal(reply.id, 9);
  assert.equal(reply.result.isError, true);
  assert.equal(
    reply.result.content[0]?.text,
    'Blocked by mcp-guard: paths: argument paths[1] "/etc/passwd" resolves to /etc/passwd, outside the allowed roots (/work/proj)',
  );

  const read = request('resources/read', { uri: 'file:///etc/passwd' }, 'r');
  const denied = check.check(read, toServer());
  assert.equal(denied.action, 'deny');
  if (denied.action !== 'deny' || read.kind !== 'request') return;
  const error = JSON.parse(refusalLine(read.id, read.method, 'files', denied)) as {
    id: string;
    error: { code: number; message: string; data: Record<string, unknown> };
  };
  assert.equal(error.id, 'r');
  assert.equal(error.error.code, ErrorCode.PolicyDenied);
  assert.match(error.error.message, /^Blocked by mcp-guard: resource uri/);
  assert.deepEqual(error.error.data, {
    rule: 'paths',
    reason: denied.reason,
    server: 'files',
    argument: 'uri',
    path: '/etc/passwd',
  });
});

void test('the filesystem is read for roots once, then only for arguments that are paths', () => {
  const fs = fakeFs(tree);
  const check = makeCheck(fs);
  const atCreation = fs.calls;
  assert.ok(atCreation > 0, 'roots and read-only folders are resolved at creation');
  const calls = (args: unknown) => {
    const before = fs.calls;
    check.check(request('tools/call', { name: 't', arguments: args }), toServer());
    return fs.calls - before;
  };
  assert.equal(calls({ query: 'x', count: 3, content: '/* text */' }), 0, 'no path arguments');
  assert.equal(calls({}), 0);
  assert.equal(calls({ path: '/work/proj/a.txt' }), 1, 'an existing path: one realpath');
  assert.equal(calls({ path: '/work/proj/a.txt' }), 1, 'and the same again: roots are not re-read');
  assert.equal(
    calls({ path: '/work/proj/new.txt' }),
    3,
    'a new file: realpath, its folder, is it a link',
  );
  assert.equal(calls({ path: 'C:\\Windows' }), 0, 'a Windows path on a POSIX host needs no lookup');
  assert.equal(calls({ path: '/work/proj/\0' }), 0, 'a NUL byte is refused before any lookup');
  assert.equal(
    check.check(request('resources/read', { uri: 'demo://x' }), toServer()).action,
    'pass',
  );
  assert.equal(fs.calls, atCreation + 5);
});

const server = (
  paths: Partial<ServerConfig['paths']>,
  more: Partial<ServerConfig> = {},
): ServerConfig => {
  const defaults = builtinDefaults('linux');
  return {
    ...defaults,
    name: 'files',
    command: 'node',
    args: [],
    cwd: '/work/proj',
    ...more,
    paths: { ...defaults.paths, ...paths },
  };
};

void test('createServerPathChecks: on when roots, read-only folders or deny globs are set', () => {
  const fs = fakeFs(tree);
  const decide = (config: ServerConfig, tool: string, path: string) => {
    const [check] = createServerPathChecks(config, {
      platform: 'linux',
      fs,
      ignoresCase: () => false,
    });
    if (check === undefined) return 'no check';
    const catalog = new ServerCatalog();
    catalog.observeResult(
      'tools/list',
      {},
      { tools: [{ name: 'read', inputSchema: {}, annotations: { readOnlyHint: true } }] },
    );
    const verdict = check.check(
      request('tools/call', { name: tool, arguments: { path } }),
      toServer(catalog),
    );
    return verdict.action === 'deny' ? `deny: ${verdict.reason}` : verdict.action;
  };
  assert.equal(decide(server({}), 'write', '/etc/passwd'), 'no check', 'nothing configured');
  // Deny globs alone: paths are not confined, only the globs apply.
  const denyOnly = server({ deny: ['**/passwd'] });
  assert.match(
    decide(denyOnly, 'write', '/etc/passwd'),
    /^deny: .*paths\.deny glob "\*\*\/passwd"/,
  );
  assert.equal(decide(denyOnly, 'write', '/etc/hosts'), 'pass');
  // Read-only folders alone: confined, and only read-only tools may use them.
  const readOnlyOnly = server({ readOnly: ['/docs'] });
  assert.equal(decide(readOnlyOnly, 'read', '/docs/manual.md'), 'pass');
  assert.match(decide(readOnlyOnly, 'write', '/docs/manual.md'), /under the read-only path \/docs/);
  assert.match(
    decide(readOnlyOnly, 'read', '/work/proj/a.txt'),
    /outside the read-only paths \(\/docs\), and no roots are set$/,
  );
  // `tools.pathArgs` of the server's configuration.
  const withPathArgs = server(
    { roots: ['/work/proj'] },
    {
      tools: { ...builtinDefaults('linux').tools, pathArgs: { write: ['where'] } },
    },
  );
  assert.equal(decide(withPathArgs, 'write', 'a.txt'), 'pass');
  const [check] = createServerPathChecks(withPathArgs, {
    platform: 'linux',
    fs,
    ignoresCase: () => false,
  });
  const verdict = check?.check(
    request('tools/call', { name: 'write', arguments: { where: 'x/../../y' } }),
    toServer(),
  );
  assert.match(
    verdict?.action === 'deny' ? verdict.reason : '',
    /argument where "x\/\.\.\/\.\.\/y" is a relative path that climbs/,
  );
});

void test('createServerPathChecks: ~ is the HOME the server is launched with', () => {
  const fs = fakeFs({ ...tree, '/srv/home/notes': 'file' });
  const config = server({ roots: ['/srv/home'] }, { env: { HOME: '/srv/home' } });
  const [check] = createServerPathChecks(config, {
    platform: 'linux',
    fs,
    ignoresCase: () => false,
  });
  const read = (path: string) =>
    check?.check(request('tools/call', { name: 't', arguments: { path } }), toServer()).action;
  assert.equal(read('~/notes'), 'pass');
  assert.equal(read('~'), 'pass');
  assert.equal(read('/work/proj/a.txt'), 'deny');
});

void test('createServerPipeline: roots first, then the path check', () => {
  const pipeline = createServerPipeline(server({ roots: ['/work/proj'] }));
  const init = request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'c', version: '1' },
  });
  assert.equal(pipeline.inspect(init, toServer()).action, 'rewrite');
  const outside = request('tools/call', {
    name: 'read_file',
    arguments: { path: '/work/proj/../../etc/passwd' },
  });
  const verdict = pipeline.inspect(outside, toServer());
  assert.equal(verdict.action, 'deny');
  assert.equal(verdict.action === 'deny' ? verdict.rule : '', 'paths');
  assert.equal(createServerPipeline(server({})).inspect(outside, toServer()).action, 'pass');
});
