import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, FIXTURES } from '../../helpers/paths.js';

/** An empty project folder and a home of its own (no user manifest, no user profiles). */
function workspace(t: TestContext): { dir: string; env: NodeJS.ProcessEnv } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-init-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'project');
  const home = join(root, 'home');
  mkdirSync(dir);
  mkdirSync(home);
  return {
    dir,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      NO_COLOR: '1',
    },
  };
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

for (const profile of ['default', 'strict', 'readonly', 'observe']) {
  void test(`init --profile ${profile} && check passes in an empty folder`, (t) => {
    const { dir, env } = workspace(t);
    const init = cli(['init', '--profile', profile], dir, env);
    assert.equal(init.status, 0, init.stderr);
    assert.equal(init.stdout, '', 'what init makes is the file; it says so on stderr');
    assert.match(
      init.stderr,
      new RegExp(`wrote ${join(dir, 'mcp-guard.yaml')} \\(profile ${profile}\\)`),
    );
    const text = readFileSync(join(dir, 'mcp-guard.yaml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text.split('\n')[0]!)?.[1];
    assert.ok(schema !== undefined && existsSync(schema), `schema line: ${text.split('\n')[0]}`);
    assert.match(text, new RegExp(`^profile: ${profile}$`, 'm'));
    const check = cli(['check'], dir, env);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, new RegExp(`^profile: ${profile}$`, 'm'));
  });
}

void test('init without --profile names the default profile and lists the built-ins in a comment', (t) => {
  const { dir, env } = workspace(t);
  assert.equal(cli(['init'], dir, env).status, 0);
  const text = readFileSync(join(dir, 'mcp-guard.yaml'), 'utf8');
  assert.match(text, /^profile: default$/m);
  const listed = [...text.matchAll(/^# {3}(\w+) +\S/gm)].map((m) => m[1]);
  assert.deepEqual(listed, ['default', 'strict', 'readonly', 'observe']);
});

void test('init uses the project’s installed schema when there is one, so the path works in every clone', (t) => {
  const { dir, env } = workspace(t);
  const installed = join(dir, 'node_modules', 'mcp-guard', 'schema');
  mkdirSync(installed, { recursive: true });
  writeFileSync(join(installed, 'mcp-guard.schema.json'), '{}');
  assert.equal(cli(['init'], dir, env).status, 0);
  assert.equal(
    readFileSync(join(dir, 'mcp-guard.yaml'), 'utf8').split('\n')[0],
    '# yaml-language-server: $schema=./node_modules/mcp-guard/schema/mcp-guard.schema.json',
  );
});

void test('init never overwrites a manifest: exit 2, the file unchanged', (t) => {
  const { dir, env } = workspace(t);
  const file = join(dir, 'mcp-guard.yaml');
  writeFileSync(file, 'version: 1\nservers: {}\n# mine\n');
  const result = cli(['init', '--profile', 'strict'], dir, env);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.match(
    result.stderr,
    /mcp-guard\.yaml: a manifest is already here; init does not overwrite it/,
  );
  assert.equal(readFileSync(file, 'utf8'), 'version: 1\nservers: {}\n# mine\n');
});

void test('an unknown profile is a configuration problem: exit 2, nothing written', (t) => {
  const { dir, env } = workspace(t);
  const result = cli(['init', '--profile', 'stirct'], dir, env);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--profile: unknown profile 'stirct'/);
  assert.equal(existsSync(join(dir, 'mcp-guard.yaml')), false);
});

void test('a project profile can be named, and a manifest above is mentioned, not touched', (t) => {
  const { dir, env } = workspace(t);
  writeFileSync(join(dir, 'mcp-guard.yaml'), 'version: 1\nservers: {}\n');
  const sub = join(dir, 'sub');
  mkdirSync(join(sub, 'profiles'), { recursive: true });
  writeFileSync(join(sub, 'profiles', 'team.yaml'), 'extends: strict\n');
  const result = cli(['init', '--profile', 'team'], sub, env);
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(`note: it takes the place of ${join(dir, 'mcp-guard.yaml')}`),
  );
  assert.equal(cli(['check'], sub, env).status, 0);
});

void test('init --help and a bad flag follow the conventions', (t) => {
  const { dir, env } = workspace(t);
  const help = cli(['init', '--help'], dir, env);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: mcp-guard init \[--profile P\]/);
  assert.equal(help.stderr, '');
  const bad = cli(['init', '--force'], dir, env);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /mcp-guard init: Unknown option '--force'/);
  assert.equal(existsSync(join(dir, 'mcp-guard.yaml')), false);
});

void test("init --from takes the client's servers as import reads them; a secret stays in the client's file", (t) => {
  const { dir, env } = workspace(t);
  const claude = join(env.HOME!, '.config', 'Claude');
  mkdirSync(claude, { recursive: true });
  const config = readFileSync(join(FIXTURES, 'clients', 'claude_desktop_config.json'), 'utf8');
  writeFileSync(join(claude, 'claude_desktop_config.json'), config);
  const result = cli(['init', '--from', 'claude', '--profile', 'strict'], dir, env);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /servers filesystem, brave-search, price-literal\)/);
  assert.match(
    result.stderr,
    /note: the client gives its servers \$BRAVE_API_KEY; set it in this shell/,
  );
  assert.match(result.stderr, /'mcp-guard install --client claude'/);
  const text = readFileSync(join(dir, 'mcp-guard.yaml'), 'utf8');
  assert.match(text, /^# yaml-language-server: \$schema=/);
  assert.match(text, /^profile: strict$/m);
  assert.match(text, /BRAVE_API_KEY: \$\{env:BRAVE_API_KEY\}/);
  assert.doesNotMatch(text, /BSAz9kQ2mX7pL4vN8rT1wY6sD3fH5jK0/);
  const check = cli(['check'], dir, { ...env, BRAVE_API_KEY: 'from-the-shell' });
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /^ {2}brave-search:$/m);
});

void test('init --from a client with no config writes nothing', (t) => {
  const { dir, env } = workspace(t);
  const result = cli(['init', '--from', 'windsurf'], dir, env);
  assert.notEqual(result.status, 0);
  assert.equal(existsSync(join(dir, 'mcp-guard.yaml')), false, result.stderr);
});
