import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ConfigContext, loadManifest } from '../../../src/config/load.js';
import { formatResolved } from '../../../src/config/index.js';
import { SAFE_ENV } from '../../../src/config/builtin-defaults.js';
import type { ResolvedManifest, ServerConfig } from '../../../src/config/types.js';
import { FIXTURES } from '../../helpers/paths.js';

/** A copy of test/fixtures/config/NAME (or an empty folder) in a fresh temp dir, plus a home. */
function workspace(t: TestContext, fixture?: string): { dir: string; ctx: ConfigContext } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-load-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'project');
  if (fixture === undefined) mkdirSync(dir);
  else cpSync(join(FIXTURES, 'config', fixture), dir, { recursive: true });
  const home = join(root, 'home');
  mkdirSync(home);
  return { dir, ctx: { cwd: dir, env: { XDG_CONFIG_HOME: join(home, '.config') }, homeDir: home } };
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

const posixOrWindows = process.platform === 'win32' ? 'win32' : 'posix';

/** What the built-in `default` profile gives a server that sets nothing else. */
function defaultServer(
  name: string,
  dir: string,
  launch: Partial<ServerConfig> = {},
): ServerConfig {
  return {
    name,
    command: 'node',
    args: [],
    cwd: dir,
    env: {},
    inheritEnv: [...SAFE_ENV[posixOrWindows]],
    paths: { roots: [dir], readOnly: [], deny: [] },
    tools: {
      allow: ['*'],
      deny: [],
      readOnlyOnly: false,
      pin: 'warn',
      pathArgs: {},
      rateLimits: {},
    },
    resources: { allow: ['*'], deny: [] },
    prompts: { allow: ['*'], deny: [] },
    sampling: 'allow',
    elicitation: 'allow',
    observe: false,
    sandbox: { mode: 'auto', network: 'allow' },
    restart: {
      policy: 'on-failure',
      maxRestarts: 5,
      window: 60_000,
      backoff: { initial: 250, max: 15_000 },
    },
    health: { interval: 30_000, timeout: 5_000, failures: 2 },
    limits: { maxMessageBytes: 8 * 1024 * 1024, callsPerMinute: 600, callTimeout: 600_000 },
    output: {
      stripControl: true,
      redact: ['aws', 'github', 'private-key', 'bearer'],
      maxResultBytes: 1024 * 1024,
    },
    ...launch,
  };
}

function manifestOf(
  dir: string,
  servers: ServerConfig[],
  extra: Partial<ResolvedManifest> = {},
): ResolvedManifest {
  return {
    file: join(dir, 'mcp-guard.yaml'),
    dir,
    stateDir: join(dir, '.mcp-guard'),
    version: 1,
    profile: 'default',
    audit: { file: join(dir, '.mcp-guard', 'audit.jsonl'), bodies: false },
    servers: Object.fromEntries(servers.map((s) => [s.name, s])),
    ...extra,
  };
}

void test("SPEC §3's example resolves to exactly what it says", (t) => {
  const { dir, ctx } = workspace(t, 'spec-example');
  const resolved = loadManifest('mcp-guard.yaml', {
    ...ctx,
    env: { ...ctx.env, GITHUB_TOKEN: 'ghp_test' },
  });
  const files = defaultServer('files', dir, {
    args: ['./node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', dir],
    env: { LOG_LEVEL: 'info', GITHUB_TOKEN: 'ghp_test' },
    inheritEnv: ['PATH', 'HOME', 'LANG'],
    paths: {
      roots: [dir],
      readOnly: [join(ctx.homeDir, 'docs')],
      deny: ['**/.env', '**/.env.*', `${ctx.homeDir}/.ssh/**`],
    },
  });
  files.tools = { ...files.tools, deny: ['move_file'], pathArgs: { search_files: ['path'] } };
  assert.deepEqual(resolved, manifestOf(dir, [files]));
});

void test('a minimal manifest gets the default profile, its folder as cwd and root, and a resolved command path', (t) => {
  const { dir, ctx } = workspace(t, 'minimal');
  const resolved = loadManifest(join(dir, 'mcp-guard.yaml'), { ...ctx, cwd: '/' });
  const echo = defaultServer('echo', dir, { command: join(dir, 'bin', 'echo.js') });
  assert.deepEqual(resolved, manifestOf(dir, [echo]));
});

void test('merge rules: deny, readOnly and redact accumulate; allow, roots and scalars replace; maps merge by key', (t) => {
  const { dir, ctx } = workspace(t, 'layers');
  const { servers, profile } = loadManifest('mcp-guard.yaml', ctx);
  assert.equal(profile, join(dir, 'profiles', 'team.yaml'));
  const plain = servers.plain!;
  const custom = servers.custom!;
  // profile ← defaults, nothing of the server's own
  assert.deepEqual(plain.env, { LOG_LEVEL: 'info', TEAM: 'core' });
  assert.deepEqual(plain.paths, {
    roots: [dir],
    readOnly: [join(dir, 'docs')],
    deny: ['**/.env', join(dir, 'secrets/**'), '**/id_*'],
  });
  assert.deepEqual(plain.tools.allow, ['read_*', 'list_*']);
  assert.deepEqual(plain.tools.deny, ['delete_*', 'move_*']);
  assert.deepEqual(plain.tools.pathArgs, { search: ['root'], grep: ['dir'] });
  assert.deepEqual(plain.output.redact, [
    'aws',
    'github',
    'private-key',
    'bearer',
    'sk-[A-Za-z0-9]{20,}',
  ]);
  assert.deepEqual(plain.restart, {
    policy: 'on-failure',
    maxRestarts: 3,
    window: 120_000,
    backoff: { initial: 250, max: 15_000 },
  });
  // the server's own keys on top
  assert.equal(custom.cwd, join(dir, 'srv'));
  assert.deepEqual(custom.args, ['server.js', '--port', '8080']);
  assert.deepEqual(custom.env, { LOG_LEVEL: 'info', TEAM: 'core', EXTRA: 'yes', DEBUG: 'true' });
  assert.deepEqual(custom.inheritEnv, ['PATH']);
  assert.deepEqual(custom.paths, {
    roots: [join(dir, 'data'), join(ctx.homeDir, 'shared')],
    readOnly: [join(dir, 'docs'), join(dir, 'more-docs')],
    deny: ['**/.env', join(dir, 'secrets/**'), '**/id_*', join(dir, 'data/private/**')],
  });
  assert.deepEqual(custom.tools.allow, ['*']);
  assert.deepEqual(custom.tools.deny, ['delete_*', 'move_*', 'write_*']);
  assert.deepEqual(custom.tools.pathArgs, { search: ['path', 'root'], grep: ['dir'] });
  assert.deepEqual(custom.tools.rateLimits, { search: 10, grep: 5 });
  assert.deepEqual(custom.output.redact, [
    'aws',
    'github',
    'private-key',
    'bearer',
    'sk-[A-Za-z0-9]{20,}',
  ]);
  assert.deepEqual(custom.restart.backoff, { initial: 1_000, max: 15_000 });
  assert.equal(custom.restart.window, 120_000);
});

void test('--profile overrides the manifest and is taken from the working directory when a path', (t) => {
  const { dir, ctx } = workspace(t, 'layers');
  write(dir, { 'elsewhere/loose.yaml': 'sandbox: { mode: required, network: deny }\n' });
  const byName = loadManifest('mcp-guard.yaml', ctx, { profile: 'default' });
  assert.equal(byName.profile, 'default');
  assert.deepEqual(byName.servers.plain!.tools.allow, ['*']);
  const byPath = loadManifest(
    join(dir, 'mcp-guard.yaml'),
    { ...ctx, cwd: join(dir, 'elsewhere') },
    {
      profile: './loose.yaml',
    },
  );
  assert.equal(byPath.profile, join(dir, 'elsewhere', 'loose.yaml'));
  // no `extends`: built-in defaults below it, which restrict nothing
  assert.deepEqual(byPath.servers.plain!.sandbox, { mode: 'required', network: 'deny' });
  assert.deepEqual(byPath.servers.plain!.paths.roots, []);
  assert.deepEqual(byPath.servers.plain!.output.redact, []);
});

const smallCases: [
  string,
  string,
  (m: ResolvedManifest, dir: string, ctx: ConfigContext) => void,
][] = [
  ['servers may be empty', 'version: 1\nservers:\n', (m) => assert.deepEqual(m.servers, {})],
  [
    'audit "-" means stderr; bodies is kept',
    'version: 1\naudit: { file: "-", bodies: true }\nservers: {}\n',
    (m) => assert.deepEqual(m.audit, { file: '-', bodies: true }),
  ],
  [
    'audit.file expands variables and ~',
    'version: 1\naudit: { file: "~/logs/${env:PROJECT}.jsonl" }\nservers: {}\n',
    (m, _dir, ctx) => assert.equal(m.audit.file, join(ctx.homeDir, 'logs', 'demo.jsonl')),
  ],
  [
    'bare commands stay bare; paths are resolved against the manifest folder',
    'version: 1\nservers:\n  a: { command: npx }\n  b: { command: ./bin/x }\n  c: { command: ../up/x }\n  d: { command: /opt/x }\n',
    (m, dir) =>
      assert.deepEqual(
        Object.values(m.servers).map((s) => s.command),
        ['npx', join(dir, 'bin', 'x'), join(dirname(dir), 'up', 'x'), '/opt/x'],
      ),
  ],
  [
    'durations and sizes accept integers (ms, bytes) and every unit',
    'version: 1\nservers:\n  a:\n    command: node\n    health: { interval: 1500, timeout: 1h }\n    limits: { maxMessageBytes: 512KiB, callTimeout: 2m, maxMemory: 2GiB }\n    output: { maxResultBytes: 100 }\n',
    (m) => {
      const a = m.servers.a!;
      assert.deepEqual(
        [a.health.interval, a.health.timeout, a.limits.callTimeout],
        [1500, 3_600_000, 120_000],
      );
      assert.deepEqual([a.limits.maxMessageBytes, a.output.maxResultBytes], [524_288, 100]);
      assert.equal(a.limits.maxMemory, 2 * 1024 ** 3);
    },
  ],
  [
    '$${ is a literal ${',
    'version: 1\nservers:\n  a: { command: node, args: ["$${workspaceFolder}"] }\n',
    (m) => assert.deepEqual(m.servers.a!.args, ['${workspaceFolder}']),
  ],
  [
    'keys named __proto__ are data, not prototypes',
    'version: 1\nservers:\n  __proto__: { command: node }\n  a: { command: node, env: { __proto__: x } }\n',
    (m) => {
      assert.deepEqual(Object.keys(m.servers), ['__proto__', 'a']);
      assert.equal(Object.getPrototypeOf(m.servers), Object.prototype);
      assert.deepEqual(Object.entries(m.servers.a!.env), [['__proto__', 'x']]);
    },
  ],
  [
    'defaults apply under every server',
    'version: 1\ndefaults: { sandbox: { network: deny } }\nservers:\n  a: { command: node }\n  b: { command: node, sandbox: { network: allow } }\n',
    (m) =>
      assert.deepEqual(
        [m.servers.a!.sandbox.network, m.servers.b!.sandbox.network],
        ['deny', 'allow'],
      ),
  ],
];

for (const [name, text, check] of smallCases) {
  void test(name, (t) => {
    const { dir, ctx } = workspace(t);
    write(dir, { 'mcp-guard.yaml': text });
    check(
      loadManifest('mcp-guard.yaml', { ...ctx, env: { ...ctx.env, PROJECT: 'demo' } }),
      dir,
      ctx,
    );
  });
}

void test('check output is itself a manifest that resolves to the same configuration in the same folder', (t) => {
  for (const fixture of ['spec-example', 'layers', 'minimal']) {
    const { dir, ctx } = workspace(t, fixture);
    const withEnv = { ...ctx, env: { ...ctx.env, GITHUB_TOKEN: 'ghp_${not-a-variable}' } };
    const first = loadManifest('mcp-guard.yaml', withEnv);
    write(dir, { 'resolved.yaml': formatResolved(first) });
    const second = loadManifest('resolved.yaml', withEnv);
    assert.deepEqual(second, { ...first, file: join(dir, 'resolved.yaml') });
  }
});
