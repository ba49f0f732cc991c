import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigContext, resolveAdHoc } from '../../../src/config/load.js';
import { adHocServerName } from '../../../src/config/ad-hoc.js';
import { GuardError } from '../../../src/errors.js';

function workspace(t: TestContext): { dir: string; ctx: ConfigContext } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-adhoc-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'cwd');
  const home = join(root, 'home');
  mkdirSync(dir);
  mkdirSync(home);
  return {
    dir,
    ctx: {
      cwd: dir,
      env: { XDG_STATE_HOME: join(root, 'state'), XDG_CONFIG_HOME: join(root, 'config') },
      homeDir: home,
    },
  };
}

const none = { allow: [], readOnly: [], denyNetwork: false };

void test('no flags: the default profile, the working directory as workspace, state in XDG_STATE_HOME', (t) => {
  const { dir, ctx } = workspace(t);
  const m = resolveAdHoc(
    'npx',
    ['-y', '@modelcontextprotocol/server-memory', '${not-expanded}'],
    ctx,
    none,
  );
  const state = join(ctx.env.XDG_STATE_HOME!, 'mcp-guard');
  assert.deepEqual(
    { file: m.file, dir: m.dir, stateDir: m.stateDir, profile: m.profile, audit: m.audit },
    {
      file: null,
      dir,
      stateDir: state,
      profile: 'default',
      audit: { file: join(state, 'audit.jsonl'), bodies: false },
    },
  );
  assert.deepEqual(Object.keys(m.servers), ['server-memory']);
  const s = m.servers['server-memory']!;
  assert.equal(s.name, 'server-memory');
  assert.equal(s.command, 'npx');
  assert.deepEqual(s.args, ['-y', '@modelcontextprotocol/server-memory', '${not-expanded}']);
  assert.equal(s.cwd, dir);
  assert.deepEqual(s.paths, { roots: [dir], readOnly: [], deny: [] });
  assert.deepEqual(s.sandbox, { mode: 'auto', network: 'allow' });
});

void test('without XDG_STATE_HOME, state goes to ~/.local/state/mcp-guard', (t) => {
  const { ctx } = workspace(t);
  const m = resolveAdHoc('node', [], { ...ctx, env: {} }, none);
  assert.equal(m.stateDir, join(ctx.homeDir, '.local', 'state', 'mcp-guard'));
});

void test('--allow replaces the roots, --read-only adds read-only paths, --deny-network denies the network', (t) => {
  const { dir, ctx } = workspace(t);
  const m = resolveAdHoc('/usr/bin/server', [], ctx, {
    allow: ['data', '/srv/shared', '~/notes'],
    readOnly: ['../docs'],
    denyNetwork: true,
  });
  const s = m.servers.server!;
  assert.deepEqual(s.paths.roots, [join(dir, 'data'), '/srv/shared', join(ctx.homeDir, 'notes')]);
  assert.deepEqual(s.paths.readOnly, [join(dir, '..', 'docs')]);
  assert.deepEqual(s.sandbox, { mode: 'auto', network: 'deny' });
});

void test('--profile names a user profile or a file relative to the working directory', (t) => {
  const { dir, ctx } = workspace(t);
  mkdirSync(join(ctx.env.XDG_CONFIG_HOME!, 'mcp-guard', 'profiles'), { recursive: true });
  writeFileSync(
    join(ctx.env.XDG_CONFIG_HOME!, 'mcp-guard', 'profiles', 'tight.yaml'),
    'extends: default\nsandbox: { mode: required }\n',
  );
  writeFileSync(
    join(dir, 'loose.yaml'),
    'extends: default\naudit: { bodies: true }\nsandbox: { mode: "off" }\n',
  );
  assert.equal(
    resolveAdHoc('node', [], ctx, { ...none, profile: 'tight' }).servers.node!.sandbox.mode,
    'required',
  );
  const loose = resolveAdHoc('node', [], ctx, { ...none, profile: './loose.yaml' });
  assert.equal(loose.servers.node!.sandbox.mode, 'off');
  assert.equal(loose.audit.bodies, true);
});

void test('a project profiles/ folder in the working directory is not consulted', (t) => {
  const { dir, ctx } = workspace(t);
  mkdirSync(join(dir, 'profiles'));
  writeFileSync(join(dir, 'profiles', 'default.yaml'), 'sandbox: { mode: "off" }\n');
  assert.equal(resolveAdHoc('node', [], ctx, none).servers.node!.sandbox.mode, 'auto');
});

void test('an unknown --profile is a configuration problem', (t) => {
  const { ctx } = workspace(t);
  assert.throws(
    () => resolveAdHoc('node', [], ctx, { ...none, profile: 'nope' }),
    (err: unknown) =>
      err instanceof GuardError &&
      err.code === 'ERR_CONFIG_INVALID' &&
      err.problems.length === 1 &&
      err.problems[0]?.key === '--profile' &&
      err.problems[0].message.startsWith("unknown profile 'nope'"),
  );
});

const names: [string, string][] = [
  ['npx', 'npx'],
  ['node.exe', 'node'],
  ['C:\\Program Files\\nodejs\\npx.cmd', 'npx'],
  ['/usr/local/bin/mcp-server-git', 'mcp-server-git'],
  ['./dist/index.js', 'index'],
  ['python3.11', 'python3.11'],
  ['uvx', 'uvx'],
  ['weird name!', 'weird-name-'],
  ['.hidden', 'server'],
  ['', 'server'],
];

for (const [command, name] of names) {
  void test(`the ad-hoc server for ${JSON.stringify(command)} is named ${name}`, () => {
    assert.equal(adHocServerName(command), name);
  });
}

const launched: [string, string[], string][] = [
  ['npx', ['-y', '@modelcontextprotocol/server-memory'], 'server-memory'],
  ['npx', ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', '/tmp'], 'server-filesystem'],
  ['npx.cmd', ['mcp-server-fetch'], 'mcp-server-fetch'],
  ['uvx', ['mcp-server-git', '--repository', '.'], 'mcp-server-git'],
  ['uv', ['run', 'weather.py'], 'weather'],
  [
    'node',
    ['/p/node_modules/@modelcontextprotocol/server-everything/dist/index.js'],
    'server-everything',
  ],
  ['node', ['./build/index.js'], 'index'],
  ['/usr/bin/node', ['--enable-source-maps', 'tools/my-server.mjs'], 'my-server'],
  ['python3', ['-m', 'server'], 'server'],
  ['node', [], 'node'],
  ['mcp-server-git', ['--repository', 'x'], 'mcp-server-git'],
];

for (const [command, args, name] of launched) {
  void test(`the ad-hoc server for ${command} ${args.join(' ')} is named ${name}`, () => {
    assert.equal(adHocServerName(command, args), name);
  });
}

void test('from $HOME, an ancestor of it or /, the root is a private folder; the cwd stays', (t) => {
  const { dir, ctx } = workspace(t);
  const state = join(ctx.env.XDG_STATE_HOME!, 'mcp-guard');
  const cases: [string, string][] = [
    [ctx.homeDir, join(state, 'work', 'srv')],
    [join(ctx.homeDir, '..'), join(state, 'work', 'srv')],
    ['/', join(state, 'work', 'srv')],
    [dir, dir],
    [join(ctx.homeDir, 'project'), join(ctx.homeDir, 'project')],
  ];
  for (const [cwd, root] of cases) {
    const s = resolveAdHoc('/usr/bin/srv', [], { ...ctx, cwd }, none).servers.srv!;
    assert.deepEqual([s.paths.roots, s.cwd], [[root], cwd], cwd);
  }
  const flags = resolveAdHoc('/usr/bin/srv', [], { ...ctx, cwd: '/' }, { ...none, allow: ['/d'] });
  assert.deepEqual(flags.servers.srv!.paths.roots, ['/d'], '--allow still decides');
});
