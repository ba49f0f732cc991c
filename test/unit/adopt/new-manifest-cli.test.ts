/**
 * A manifest that `import --write` or `install -c FILE` creates is the one `init` writes: the
 * schema line editors complete from, the commented starter, the profile asked for; and `check`
 * passes on it as written.
 */
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

/** An empty project and a home whose Claude Desktop config is the fixture. */
function workspace(t: TestContext): { dir: string; env: NodeJS.ProcessEnv } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-new-manifest-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'project');
  const home = join(root, 'home');
  const claude = join(home, '.config', 'Claude');
  mkdirSync(dir);
  mkdirSync(claude, { recursive: true });
  const config = readFileSync(join(FIXTURES, 'clients', 'claude_desktop_config.json'), 'utf8');
  writeFileSync(join(claude, 'claude_desktop_config.json'), config);
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  return { dir, env };
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertStarter(file: string, profile: string): void {
  const text = readFileSync(file, 'utf8');
  const schema = /^# yaml-language-server: \$schema=(.+)$/.exec(text.split('\n')[0]!)?.[1];
  assert.ok(schema !== undefined && existsSync(schema), `schema line: ${text.split('\n')[0]}`);
  assert.match(text, /^# The servers, by name\./m, 'the commented starter');
  assert.match(text, new RegExp(`^profile: ${profile}$`, 'm'));
  assert.match(text, /^ {2}brave-search:$/m);
}

void test('import --write into a new manifest writes the starter init writes, then the servers', (t) => {
  const { dir, env } = workspace(t);
  const result = cli(['import', '--from', 'claude', '--write'], dir, env);
  assert.equal(result.status, 0, result.stderr);
  assertStarter(join(dir, 'mcp-guard.yaml'), 'default');
  const check = cli(['check'], dir, { ...env, BRAVE_API_KEY: 'from-the-shell' });
  assert.equal(check.status, 0, check.stderr);
});

void test('install -c FILE --profile P creates the starter init writes, with that profile', (t) => {
  const { dir, env } = workspace(t);
  const manifest = join(dir, 'mcp-guard.yaml');
  const args = ['install', '--client', 'claude', '-c', manifest, '--profile', 'strict'];
  const result = cli([...args, '--no-prepare'], dir, env);
  assert.equal(result.status, 0, result.stderr);
  assertStarter(manifest, 'strict');
  const check = cli(['check', '-c', manifest], dir, { ...env, BRAVE_API_KEY: 'from-the-shell' });
  assert.equal(check.status, 0, check.stderr);
});
