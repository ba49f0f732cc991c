import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ConfigContext, loadManifest } from '../../../src/config/load.js';
import { builtinProfiles } from '../../../src/config/profiles.js';

/** A project folder and a home whose XDG config folder holds user profiles. */
function workspace(t: TestContext): { dir: string; user: string; ctx: ConfigContext } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-profiles-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'project');
  const home = join(root, 'home');
  mkdirSync(dir);
  mkdirSync(home);
  const xdg = join(home, 'xdg');
  return {
    dir,
    user: join(xdg, 'mcp-guard'),
    ctx: { cwd: dir, env: { XDG_CONFIG_HOME: xdg }, homeDir: home },
  };
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

const manifest = (profile: string): string =>
  `version: 1\nprofile: ${profile}\nservers:\n  s: { command: node }\n`;

/** Each profile marks itself in `env.FROM` and adds one tool denial, so the chain shows. */
const marker = (from: string, extra = ''): string =>
  `${extra}env: { FROM: ${from} }\ntools: { deny: [${from}_*] }\n`;

void test('a name is looked up beside the manifest first', (t) => {
  const { dir, user, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('team'), 'profiles/team.yaml': marker('project') });
  write(user, { 'profiles/team.yaml': marker('user') });
  const s = loadManifest('mcp-guard.yaml', ctx).servers.s!;
  assert.equal(s.env.FROM, 'project');
  assert.deepEqual(s.tools.deny, ['project_*']);
});

void test('then in the user config folder', (t) => {
  const { dir, user, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('team') });
  write(user, { 'profiles/team.yaml': marker('user') });
  const m = loadManifest('mcp-guard.yaml', ctx);
  assert.equal(m.servers.s!.env.FROM, 'user');
  assert.equal(m.profile, join(user, 'profiles', 'team.yaml'));
});

void test('a user config folder under a file (HOME is a file: ENOTDIR) is no folder: the built-in is found', (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('strict'), 'not-a-folder': 'x' });
  const m = loadManifest('mcp-guard.yaml', {
    ...ctx,
    env: { XDG_CONFIG_HOME: join(dir, 'not-a-folder', 'xdg') },
  });
  assert.equal(m.profile, 'strict');
  assert.equal(m.servers.s!.sandbox.network, 'deny');
});

void test('then the built-ins', (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('default') });
  const m = loadManifest('mcp-guard.yaml', ctx);
  assert.equal(m.profile, 'default');
  assert.equal(m.servers.s!.sandbox.mode, 'auto');
});

void test('a project profile may shadow a built-in and extend it by the same name', (t) => {
  const { dir, user, ctx } = workspace(t);
  write(dir, {
    'mcp-guard.yaml': manifest('default'),
    'profiles/default.yaml': marker('project', 'extends: default\n'),
  });
  write(user, {
    'profiles/default.yaml': marker('user', 'extends: default\nsandbox: { network: deny }\n'),
  });
  const s = loadManifest('mcp-guard.yaml', ctx).servers.s!;
  // project → user → built-in: all three layers, in that order of precedence
  assert.equal(s.env.FROM, 'project');
  assert.deepEqual(s.tools.deny, ['user_*', 'project_*']);
  assert.deepEqual(s.sandbox, { mode: 'auto', network: 'deny' });
  assert.deepEqual(s.output.redact, ['aws', 'github', 'private-key', 'bearer']);
});

void test('extends chains merge base first, and paths are relative to the file that names them', (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, {
    'mcp-guard.yaml': manifest('./config/top.yaml'),
    'config/top.yaml': marker('top', 'extends: ./base/middle.yml\n'),
    'config/base/middle.yml': marker('middle', 'extends: default\nrestart: { maxRestarts: 1 }\n'),
  });
  const m = loadManifest('mcp-guard.yaml', ctx);
  const s = m.servers.s!;
  assert.equal(m.profile, join(dir, 'config', 'top.yaml'));
  assert.equal(s.env.FROM, 'top');
  assert.deepEqual(s.tools.deny, ['middle_*', 'top_*']);
  assert.equal(s.restart.maxRestarts, 1);
  assert.equal(s.sandbox.mode, 'auto'); // from default, at the bottom
});

void test('a profile may ask for message bodies in the audit log; the manifest has the last word', (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, {
    'mcp-guard.yaml': manifest('./watch.yaml'),
    'watch.yaml': 'extends: default\naudit: { bodies: true }\n',
  });
  assert.equal(loadManifest('mcp-guard.yaml', ctx).audit.bodies, true);
  write(dir, { 'mcp-guard.yaml': `${manifest('./watch.yaml')}audit: { bodies: false }\n` });
  assert.equal(loadManifest('mcp-guard.yaml', ctx).audit.bodies, false);
});

void test('the built-in profiles were compiled at build time and include default', () => {
  const builtins = builtinProfiles();
  assert.ok(builtins.default !== undefined);
  assert.deepEqual(builtins.default.data.output, {
    stripControl: true,
    redact: ['aws', 'github', 'private-key', 'bearer'],
    maxResultBytes: '1MiB',
  });
});

void test('every built-in profile has a description', () => {
  const builtins = builtinProfiles();
  assert.deepEqual(Object.keys(builtins).sort(), ['default', 'observe', 'readonly', 'strict']);
  for (const [name, { data }] of Object.entries(builtins))
    assert.ok(typeof data.description === 'string' && data.description.length > 20, name);
});

void test('strict: sandbox required, no network, the workspace only, secret files and sampling denied, pins block', (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('strict') });
  const s = loadManifest('mcp-guard.yaml', ctx).servers.s!;
  assert.deepEqual(s.sandbox, { mode: 'required', network: 'deny' });
  assert.deepEqual(s.paths.roots, [dir]);
  assert.deepEqual(s.paths.readOnly, []);
  for (const secret of ['.env*', '.ssh', '.aws', '.gnupg', '.npmrc', '.netrc', 'id_*'])
    assert.ok(s.paths.deny.includes(secret), secret);
  assert.equal(s.sampling, 'deny');
  assert.equal(s.tools.pin, 'block');
  assert.ok(s.limits.callsPerMinute < 600, 'tighter than default');
  assert.equal(s.observe, false);
  assert.deepEqual(s.output.redact, ['aws', 'github', 'private-key', 'bearer'], 'from default');
});

void test('readonly: strict, read-only tools only, the workspace a read-only path and no root', (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('readonly') });
  const s = loadManifest('mcp-guard.yaml', ctx).servers.s!;
  assert.deepEqual(s.paths.roots, []);
  assert.deepEqual(s.paths.readOnly, [dir]);
  assert.equal(s.tools.readOnlyOnly, true);
  assert.deepEqual(s.sandbox, { mode: 'required', network: 'deny' });
  assert.ok(s.paths.deny.includes('.env*'));
  assert.equal(s.sampling, 'deny');
});

void test("observe: strict's policy, enforced nowhere, no sandbox, bodies in the audit log", (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('observe') });
  const m = loadManifest('mcp-guard.yaml', ctx);
  const s = m.servers.s!;
  assert.equal(s.observe, true);
  assert.equal(m.audit.bodies, true);
  assert.deepEqual(s.sandbox, { mode: 'off', network: 'allow' });
  // What would be refused is what strict refuses.
  assert.equal(s.sampling, 'deny');
  assert.ok(s.paths.deny.includes('.env*'));
  assert.deepEqual(s.paths.roots, [dir]);
  // The manifest can still say otherwise, server by server.
  write(dir, {
    'mcp-guard.yaml': `version: 1\nprofile: observe\naudit: { bodies: false }\nservers:\n  s: { command: node, observe: false }\n`,
  });
  const strictAgain = loadManifest('mcp-guard.yaml', ctx);
  assert.equal(strictAgain.servers.s!.observe, false);
  assert.equal(strictAgain.audit.bodies, false);
});

void test('observe is off unless a layer turns it on; a project profile may', (t) => {
  const { dir, ctx } = workspace(t);
  write(dir, { 'mcp-guard.yaml': manifest('default') });
  assert.equal(loadManifest('mcp-guard.yaml', ctx).servers.s!.observe, false);
  write(dir, {
    'mcp-guard.yaml': manifest('./policy/watch.yaml'),
    'policy/watch.yaml': 'extends: strict\nobserve: true\n',
  });
  const m = loadManifest('mcp-guard.yaml', ctx);
  assert.equal(m.servers.s!.observe, true);
  assert.deepEqual(m.profileFiles, [join(dir, 'policy', 'watch.yaml')], 'protected at launch');
});
