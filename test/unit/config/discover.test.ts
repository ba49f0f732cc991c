import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ConfigContext, findManifest } from '../../../src/config/load.js';
import { userConfigDir, userStateDir } from '../../../src/config/context.js';
import { GuardError } from '../../../src/errors.js';

/** A temp dir per test, removed afterwards; realpath'd so macOS /var → /private/var cannot differ. */
function tempDir(t: TestContext): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-discover-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function touch(file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, 'version: 1\nservers: {}\n');
  return file;
}

/** project/a/b is the working directory; home has its own XDG config folder. */
function layout(t: TestContext): { root: string; cwd: string; ctx: ConfigContext } {
  const root = tempDir(t);
  const cwd = join(root, 'project', 'a', 'b');
  mkdirSync(cwd, { recursive: true });
  const home = join(root, 'home');
  mkdirSync(home);
  return { root, cwd, ctx: { cwd, env: { XDG_CONFIG_HOME: join(home, 'xdg') }, homeDir: home } };
}

function notFound(fn: () => unknown, includes: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GuardError);
    assert.equal(err.code, 'ERR_CONFIG_NOT_FOUND');
    assert.equal(err.exitCode, 2);
    for (const part of includes)
      assert.ok(err.message.includes(part), `${err.message} should name ${part}`);
    return true;
  });
}

void test('-c FILE wins over everything, relative to the working directory', (t) => {
  const { root, cwd, ctx } = layout(t);
  const chosen = touch(join(root, 'elsewhere', 'custom.yaml'));
  touch(join(cwd, 'mcp-guard.yaml'));
  const env = { ...ctx.env, MCP_GUARD_CONFIG: touch(join(root, 'env.yaml')) };
  assert.equal(findManifest({ ...ctx, env }, '../../../elsewhere/custom.yaml'), chosen);
  assert.equal(findManifest({ ...ctx, env }, chosen), chosen);
});

void test('-c DIR means the mcp-guard.yaml in it', (t) => {
  const { root, ctx } = layout(t);
  const file = touch(join(root, 'project', 'mcp-guard.yaml'));
  assert.equal(findManifest(ctx, join(root, 'project')), file);
});

void test('-c naming a missing file fails and names it, even when others exist', (t) => {
  const { cwd, ctx } = layout(t);
  touch(join(cwd, 'mcp-guard.yaml'));
  notFound(() => findManifest(ctx, 'missing.yaml'), [join(cwd, 'missing.yaml'), '-c']);
});

void test('$MCP_GUARD_CONFIG comes next', (t) => {
  const { root, cwd, ctx } = layout(t);
  touch(join(cwd, 'mcp-guard.yaml'));
  const file = touch(join(root, 'env.yaml'));
  assert.equal(findManifest({ ...ctx, env: { ...ctx.env, MCP_GUARD_CONFIG: file } }), file);
  notFound(
    () => findManifest({ ...ctx, env: { ...ctx.env, MCP_GUARD_CONFIG: join(root, 'gone.yaml') } }),
    [join(root, 'gone.yaml'), '$MCP_GUARD_CONFIG'],
  );
});

void test('an empty $MCP_GUARD_CONFIG is ignored', (t) => {
  const { cwd, ctx } = layout(t);
  const file = touch(join(cwd, 'mcp-guard.yaml'));
  assert.equal(findManifest({ ...ctx, env: { ...ctx.env, MCP_GUARD_CONFIG: '' } }), file);
});

void test('then the nearest mcp-guard.yaml walking up from the working directory', (t) => {
  const { root, cwd, ctx } = layout(t);
  const top = touch(join(root, 'project', 'mcp-guard.yaml'));
  touch(join(ctx.env.XDG_CONFIG_HOME!, 'mcp-guard', 'mcp-guard.yaml'));
  assert.equal(findManifest(ctx), top);
  const nearer = touch(join(root, 'project', 'a', 'mcp-guard.yaml'));
  assert.equal(findManifest(ctx), nearer);
  const here = touch(join(cwd, 'mcp-guard.yaml'));
  assert.equal(findManifest(ctx), here);
});

void test('a folder named mcp-guard.yaml is not a manifest', (t) => {
  const { root, cwd, ctx } = layout(t);
  mkdirSync(join(cwd, 'mcp-guard.yaml'));
  const top = touch(join(root, 'project', 'mcp-guard.yaml'));
  assert.equal(findManifest(ctx), top);
});

void test('then $XDG_CONFIG_HOME/mcp-guard/mcp-guard.yaml', (t) => {
  const { ctx } = layout(t);
  const user = touch(join(ctx.env.XDG_CONFIG_HOME!, 'mcp-guard', 'mcp-guard.yaml'));
  assert.equal(findManifest(ctx), user);
});

void test('then ~/.config/mcp-guard/mcp-guard.yaml when XDG_CONFIG_HOME is unset or relative', (t) => {
  const { ctx } = layout(t);
  const user = touch(join(ctx.homeDir, '.config', 'mcp-guard', 'mcp-guard.yaml'));
  assert.equal(findManifest({ ...ctx, env: {} }), user);
  assert.equal(findManifest({ ...ctx, env: { XDG_CONFIG_HOME: 'relative/dir' } }), user);
});

void test('nothing found: the message says where it looked', (t) => {
  const { cwd, ctx } = layout(t);
  notFound(
    () => findManifest(ctx),
    [cwd, join(ctx.env.XDG_CONFIG_HOME!, 'mcp-guard', 'mcp-guard.yaml'), '-c FILE'],
  );
});

const userDirs: [string, ConfigContext, string, string][] = [
  [
    'linux with XDG variables',
    {
      cwd: '/',
      env: { XDG_CONFIG_HOME: '/x/config', XDG_STATE_HOME: '/x/state' },
      homeDir: '/home/u',
      platform: 'linux',
    },
    '/x/config/mcp-guard',
    '/x/state/mcp-guard',
  ],
  [
    'macOS without them',
    { cwd: '/', env: {}, homeDir: '/Users/u', platform: 'darwin' },
    '/Users/u/.config/mcp-guard',
    '/Users/u/.local/state/mcp-guard',
  ],
  [
    'Windows with APPDATA and LOCALAPPDATA (any case)',
    {
      cwd: 'C:\\',
      env: {
        AppData: 'C:\\Users\\u\\AppData\\Roaming',
        LOCALAPPDATA: 'D:\\Local',
        XDG_CONFIG_HOME: 'C:\\xdg',
      },
      homeDir: 'C:\\Users\\u',
      platform: 'win32',
    },
    'C:\\Users\\u\\AppData\\Roaming\\mcp-guard',
    'D:\\Local\\mcp-guard',
  ],
  [
    'Windows without them',
    { cwd: 'C:\\', env: {}, homeDir: 'C:\\Users\\u', platform: 'win32' },
    'C:\\Users\\u\\AppData\\Roaming\\mcp-guard',
    'C:\\Users\\u\\AppData\\Local\\mcp-guard',
  ],
];

for (const [name, ctx, config, state] of userDirs) {
  void test(`user folders on ${name}`, () => {
    assert.equal(userConfigDir(ctx), config);
    assert.equal(userStateDir(ctx), state);
  });
}
