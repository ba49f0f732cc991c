/** SPEC 2: `run <server>` fails only for problems of that server or of the manifest's shared keys. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest } from '../../../src/config/load.js';
import { problemServer } from '../../../src/config/manifest.js';
import { GuardError } from '../../../src/errors.js';
import { workspace } from '../../helpers/config-problems.js';

const MANIFEST = [
  'version: 1',
  'servers:',
  '  good:',
  '    command: node',
  '  a:',
  '    command: node',
  '    env: { TOKEN: "${env:UNSET_TOKEN}" }',
  '  a.b:',
  '    command: node',
  '    comand: typo',
  '  backoff:',
  '    command: node',
  '    restart: { backoff: { initial: 5s, max: 1s } }',
  '',
].join('\n');

function problemKeys(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof GuardError, String(err));
    assert.equal(err.exitCode, 2);
    return err.problems.map((p) => `${p.line}:${p.col} ${p.key}`);
  }
  return [];
}

void test('problemServer: the longest server name holding the key; shared keys belong to none', () => {
  const file = '/p/mcp-guard.yaml';
  const names = ['a', 'a.b', 'ab'];
  const owner = (key: string, at = file) =>
    problemServer({ file: at, key, message: 'm' }, file, names);
  assert.equal(owner('servers.a.env.X'), 'a');
  assert.equal(owner('servers.a'), 'a');
  assert.equal(owner('servers.a.b.comand'), 'a.b');
  assert.equal(owner('servers.ab.args[0]'), 'ab');
  assert.equal(owner('servers.abc.x'), undefined);
  assert.equal(owner('defaults.env.X'), undefined);
  assert.equal(owner('servers'), undefined);
  assert.equal(owner('servers.a.env.X', '/p/profiles/x.yaml'), undefined);
});

void test('a valid server loads though others have an unset variable, a typo, a bad backoff', (t) => {
  const { dir, ctx } = workspace(t, { 'mcp-guard.yaml': MANIFEST });
  const file = join(dir, 'mcp-guard.yaml');
  const manifest = loadManifest(file, ctx, { servers: ['good'] });
  assert.deepEqual(Object.keys(manifest.servers), ['good']);
  assert.equal(manifest.servers.good!.command, 'node');
});

void test('the named server’s own problems still fail it, with file:line:col', (t) => {
  const { dir, ctx } = workspace(t, { 'mcp-guard.yaml': MANIFEST });
  const file = join(dir, 'mcp-guard.yaml');
  assert.deepEqual(
    problemKeys(() => loadManifest(file, ctx, { servers: ['a'] })),
    ['7:19 servers.a.env.TOKEN'],
  );
  assert.deepEqual(
    problemKeys(() => loadManifest(file, ctx, { servers: ['a.b'] })),
    ['10:5 servers.a.b.comand'],
  );
  assert.deepEqual(
    problemKeys(() => loadManifest(file, ctx, { servers: ['backoff'] })),
    ['11:3 servers.backoff'],
  );
});

void test('without a server list (check, up) every problem is reported', (t) => {
  const { dir, ctx } = workspace(t, { 'mcp-guard.yaml': MANIFEST });
  const file = join(dir, 'mcp-guard.yaml');
  assert.deepEqual(
    problemKeys(() => loadManifest(file, ctx)),
    ['7:19 servers.a.env.TOKEN', '10:5 servers.a.b.comand'],
  );
});

void test('a problem in the shared keys fails every server', (t) => {
  const shared = MANIFEST.replace(
    'servers:\n',
    'defaults:\n  env: { K: "${env:UNSET_SHARED}" }\nservers:\n',
  );
  const { dir, ctx } = workspace(t, { 'mcp-guard.yaml': shared });
  const file = join(dir, 'mcp-guard.yaml');
  assert.deepEqual(
    problemKeys(() => loadManifest(file, ctx, { servers: ['good'] })),
    ['3:13 defaults.env.K'],
  );
});
