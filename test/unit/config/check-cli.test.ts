import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../helpers/paths.js';

function workspace(t: TestContext): { dir: string; env: NodeJS.ProcessEnv } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-check-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'project');
  mkdirSync(dir);
  const home = join(root, 'home');
  mkdirSync(home);
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    NO_COLOR: '1',
  };
  return { dir, env };
}

function check(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'check', ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

void test('check on a good manifest prints the resolved YAML and exits 0', (t) => {
  const { dir, env } = workspace(t);
  writeFileSync(
    join(dir, 'mcp-guard.yaml'),
    'version: 1\nservers:\n  echo:\n    command: node\n    restart: { window: 2m }\n',
  );
  const { status, stdout, stderr } = check(['-c', join(dir, 'mcp-guard.yaml')], '/', env);
  assert.equal(status, 0, stderr);
  assert.equal(stderr, '');
  assert.match(stdout, /^version: 1$/m);
  assert.match(stdout, /^profile: default$/m);
  assert.match(stdout, /^ {4}command: node$/m);
  assert.match(stdout, /^ {6}window: 120000$/m);
  assert.match(stdout, new RegExp(`^ {4}cwd: ${dir}$`, 'm'));
  assert.doesNotMatch(stdout + stderr, /error/i);
});

void test('check on a broken manifest lists every problem as file:line:col: key: message and exits 2', (t) => {
  const { dir, env } = workspace(t);
  writeFileSync(
    join(dir, 'mcp-guard.yaml'),
    'version: 1\nservers:\n  echo:\n    command: node\n    restart: { window: soon }\n    colour: red\n',
  );
  const { status, stdout, stderr } = check([], dir, env);
  assert.equal(status, 2);
  assert.equal(stdout, '');
  const lines = stderr.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 2), [
    "mcp-guard.yaml:5:24: servers.echo.restart.window: expected a duration greater than 0 (250ms, 5s, 10m, 1h or whole milliseconds), got 'soon'",
    "mcp-guard.yaml:6:5: servers.echo.colour: unknown key 'colour' (expected one of: command, args, cwd, env, inheritEnv, paths, tools, resources, prompts, sampling, elicitation, observe, sandbox, restart, health, limits, output)",
  ]);
  assert.equal(lines[2], 'mcp-guard check: 2 problems; nothing was started');
});

void test('check with no manifest anywhere says where it looked and exits 2', (t) => {
  const { dir, env } = workspace(t);
  const { status, stdout, stderr } = check([], dir, env);
  assert.equal(status, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /no mcp-guard\.yaml found: looked in /);
});

void test('check --help prints usage to stdout and exits 0; a bad flag exits 2', (t) => {
  const { dir, env } = workspace(t);
  const help = check(['--help'], dir, env);
  assert.equal(help.status, 0);
  assert.equal(help.stderr, '');
  assert.match(help.stdout, /^Usage: mcp-guard check/);
  const bad = check(['--nope'], dir, env);
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /--nope/);
});

void test('check --explain names the layer that set each value, with its file:line:col, and still loads back', (t) => {
  const { dir, env } = workspace(t);
  mkdirSync(join(dir, 'profiles'));
  writeFileSync(
    join(dir, 'profiles', 'team.yaml'),
    'extends: strict\ndescription: the team\nlimits: { callsPerMinute: 60 }\n',
  );
  writeFileSync(
    join(dir, 'mcp-guard.yaml'),
    [
      'version: 1',
      'profile: team',
      'defaults:',
      '  restart: { maxRestarts: 3 }',
      'servers:',
      '  files:',
      '    command: node',
      '    paths: { deny: ["secret/**"] }',
      '',
    ].join('\n'),
  );
  const { status, stdout, stderr } = check(['--explain'], dir, env);
  assert.equal(status, 0, stderr);
  const line = (key: string): string => {
    const found = stdout.split('\n').find((l) => l.trimStart().startsWith(key));
    assert.ok(found !== undefined, `${key} in\n${stdout}`);
    return found;
  };
  assert.match(line('profile:'), /# manifest \(mcp-guard\.yaml:2:10\)$/);
  assert.match(line('command: node'), /# server files \(mcp-guard\.yaml:7:14\)$/);
  assert.match(line('maxRestarts: 3'), /# defaults \(mcp-guard\.yaml:4:27\)$/);
  assert.match(line('callsPerMinute: 60'), /# profile team \(profiles\/team\.yaml:3:27\)$/);
  assert.match(
    line('mode: required'),
    /# built-in profile strict \(.*profiles\/strict\.yaml:\d+:\d+\)$/,
  );
  assert.match(
    line('stripControl: true'),
    /# built-in profile default \(.*default\.yaml:\d+:\d+\)$/,
  );
  assert.match(line('readOnlyOnly: false'), /# built-in$/);
  assert.match(line('cwd:'), /# built-in: the manifest's folder$/);
  // An accumulated list names, item by item, the layer that added it.
  assert.match(line('- .env*'), /# built-in profile strict/);
  assert.match(line('- secret/**'), /# server files \(mcp-guard\.yaml:8:21\)$/);

  writeFileSync(join(dir, 'explained.yaml'), stdout);
  const again = check(['-c', join(dir, 'explained.yaml')], dir, env);
  assert.equal(again.status, 0, again.stderr);

  const flag = check(['--explain', '--profile', 'observe'], dir, env);
  assert.equal(flag.status, 0, flag.stderr);
  assert.match(flag.stdout, /^profile: observe # --profile$/m);
  assert.match(
    flag.stdout,
    /^ {2}bodies: true # built-in profile observe \(.*observe\.yaml:\d+:\d+\)$/m,
  );
  assert.match(flag.stdout, /^ {4}observe: true # built-in profile observe/m);
});
