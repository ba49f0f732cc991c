import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, modify, parse } from 'jsonc-parser';
import {
  type ClientFile,
  parseClientText,
  readClientFile,
} from '../../../src/adopt/client-file.js';
import { existingLocations } from '../../../src/adopt/import-servers.js';
import { listBackups, writeClientFile } from '../../../src/adopt/client-write.js';
import { manifestServers, planInstall } from '../../../src/adopt/install-plan.js';
import { parseWrapped } from '../../../src/adopt/launcher.js';
import { starterFor } from '../../../src/config/starter.js';
import { isSecretName, looksLikeSecret } from '../../../src/adopt/secrets.js';
import { withSettingsLock } from '../../../src/adopt/settings-lock.js';
import { planUninstall } from '../../../src/adopt/uninstall-plan.js';
import { loadManifest } from '../../../src/config/load.js';
import { GuardError } from '../../../src/errors.js';
import { type Home, LAYOUTS, type Layout, fixtureSecrets, homeFor } from './homes.js';

const LAUNCHER = { command: '/opt/node/bin/node', args: ['/opt/mcp-guard/dist/cli/main.js'] };

interface Installed {
  manifestFile: string;
  manifestText: string;
  /** Each client file's text before install, by path. */
  before: Map<string, string>;
}

/** install's plan for every file of the client, written in place (the CLI adds backups and locks). */
function install(home: Home, layout: Layout, manifestText?: string): Installed {
  const manifestFile = join(home.project, 'mcp-guard.yaml');
  let text =
    manifestText ??
    (existsSync(manifestFile)
      ? readFileSync(manifestFile, 'utf8')
      : starterFor('default', home.project));
  const before = new Map<string, string>();
  for (const location of existingLocations(layout.client, home.ctx)) {
    const file = readClientFile(location)!;
    const plan = planInstall({
      file,
      manifestFile,
      manifestText: text,
      launcher: LAUNCHER,
      ctx: home.ctx,
    });
    text = plan.manifestText;
    before.set(location.path, file.text);
    writeFileSync(location.path, plan.clientText);
  }
  writeFileSync(manifestFile, text);
  return { manifestFile, manifestText: text, before };
}

function uninstall(home: Home, layout: Layout, backups: ReadonlyMap<string, string>): void {
  for (const location of existingLocations(layout.client, home.ctx)) {
    const file = readClientFile(location)!;
    const old = backups.get(location.path);
    const plan = planUninstall({
      file,
      backups: old === undefined ? [] : [parseClientText(location, old)],
      manifest: (path) => manifestServers(readFileSync(path, 'utf8')),
    });
    writeFileSync(location.path, plan.clientText);
  }
}

const isSecret = (name: string, value: string) => isSecretName(name) || looksLikeSecret(value);

function entriesOf(home: Home, layout: Layout): ClientFile[] {
  return existingLocations(layout.client, home.ctx).map((l) => readClientFile(l)!);
}

for (const layout of LAYOUTS) {
  test(`install → uninstall round-trips byte for byte: ${layout.label}`, (t) => {
    const home = homeFor(t, layout);
    const installed = install(home, layout);
    let wrapped = 0;
    for (const file of entriesOf(home, layout)) {
      assert.notEqual(file.text, installed.before.get(file.location.path), 'the file changed');
      for (const entry of file.entries) {
        const shape =
          entry.command === undefined ? null : parseWrapped(entry.command, entry.args ?? []);
        if (shape === null) continue;
        wrapped++;
        assert.equal(entry.command, LAUNCHER.command);
        assert.equal(shape.manifest, installed.manifestFile);
        assert.deepEqual(entry.args!.slice(0, 2), [LAUNCHER.args[0], 'run']);
        for (const name of Object.keys(entry.env))
          assert.ok(entry.args!.join(' ').includes(`--env ${name}`));
      }
    }
    assert.ok(wrapped > 0);
    for (const [fixture] of layout.files) {
      for (const secret of fixtureSecrets(fixture, isSecret)) {
        assert.ok(!installed.manifestText.includes(secret), `${secret} is in the manifest`);
      }
    }
    // A second install changes nothing: no double wrapping.
    const again = install(home, layout);
    assert.equal(again.manifestText, installed.manifestText);
    for (const file of entriesOf(home, layout))
      assert.equal(file.text, again.before.get(file.location.path));

    uninstall(home, layout, installed.before);
    for (const [path, text] of installed.before)
      assert.equal(readFileSync(path, 'utf8'), text, path);
  });
}

test('the manifest install writes is valid once the client has set the names it refers to', (t) => {
  const home = homeFor(t, LAYOUTS[0]!);
  const { manifestFile, manifestText } = install(home, LAYOUTS[0]!);
  const env = Object.fromEntries(
    [...manifestText.matchAll(/\$\{env:([A-Za-z_0-9]+)\}/g)].map((m) => [
      m[1]!,
      'set-by-the-client',
    ]),
  );
  const manifest = loadManifest(manifestFile, { ...home.ctx, env });
  assert.deepEqual(Object.keys(manifest.servers), ['github', 'memory', 'fetch']);
  assert.equal(manifest.servers['memory']!.cwd, '/opt/mcp/memory');
});

test("uninstall keeps the user's edits made since install (entries added, changed, removed)", (t) => {
  const layout = LAYOUTS[0]!;
  const home = homeFor(t, layout);
  const [path] = home.paths as [string];
  const installed = install(home, layout);
  const edit = (text: string) => {
    const fmt = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
    let next = applyEdits(
      text,
      modify(text, ['mcpServers', 'added-later'], { command: 'my-server', args: [] }, fmt),
    );
    next = applyEdits(next, modify(next, ['mcpServers', 'memory', 'timeout'], 120, fmt));
    next = applyEdits(next, modify(next, ['mcpServers', 'fetch'], undefined, fmt));
    return applyEdits(
      next,
      modify(
        next,
        [
          'mcpServers',
          'github.com/modelcontextprotocol/servers/tree/main/src/github',
          'env',
          'EXTRA',
        ],
        'x',
        fmt,
      ),
    );
  };
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  uninstall(home, layout, installed.before);
  assert.equal(readFileSync(path, 'utf8'), edit(installed.before.get(path)!));
});

test('without a backup, uninstall unwraps each entry from its manifest server', (t) => {
  for (const layout of [LAYOUTS[0]!, LAYOUTS[6]!, LAYOUTS[8]!]) {
    const home = homeFor(t, layout);
    const installed = install(home, layout);
    uninstall(home, layout, new Map());
    for (const [path, text] of installed.before) {
      assert.deepEqual(parse(readFileSync(path, 'utf8')), parse(text), `${layout.label}: ${path}`);
    }
  }
});

test('a server already in the manifest is reused when it is the same, renamed when it differs', (t) => {
  const layout = LAYOUTS[0]!;
  const home = homeFor(t, layout);
  const manifest = `# mine\nversion: 1\nservers:\n  memory: # same\n    command: node\n    args: [/opt/mcp/memory/dist/index.js]\n    cwd: /opt/mcp/memory\n  fetch:\n    command: other\n`;
  const { manifestText } = install(home, layout, manifest);
  assert.ok(manifestText.startsWith(manifest.slice(0, -1)), manifestText);
  assert.deepEqual(Object.keys(manifestServers(manifestText)), [
    'memory',
    'fetch',
    'github',
    'fetch-2',
  ]);
  const fetch = entriesOf(home, layout)[0]!.entries.find((e) => e.name === 'fetch')!;
  assert.equal(parseWrapped(fetch.command!, fetch.args!)?.server, 'fetch-2');
});

test('writeClientFile: a backup first; a file changed since it was read is left alone', async (t) => {
  const home = homeFor(t, LAYOUTS[0]!);
  const [path] = home.paths as [string];
  const [location] = existingLocations('cline', home.ctx);
  const before = readFileSync(path, 'utf8');
  const backup = await writeClientFile({
    location: location!,
    before,
    after: '{}\n',
    now: new Date(0),
  });
  assert.equal(readFileSync(backup, 'utf8'), before);
  assert.equal(readFileSync(path, 'utf8'), '{}\n');
  assert.deepEqual(listBackups(path), [backup]);
  await assert.rejects(
    writeClientFile({ location: location!, before, after: '[]\n', now: new Date(1) }),
    (err: GuardError) => err.code === 'ERR_WRITE' && /changed while/.test(err.message),
  );
  assert.equal(readFileSync(path, 'utf8'), '{}\n');
  assert.equal(existsSync(`${path}.lock`), false);
});

test("Cline's settings lock: a held lock is waited for, a stale one (10 s) taken over", async (t) => {
  const home = homeFor(t, LAYOUTS[0]!);
  const [path] = home.paths as [string];
  const lock = `${path}.lock`;
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner.cline'), 'cline');
  await assert.rejects(
    withSettingsLock(path, () => 'ran', 100),
    (err: GuardError) => err.code === 'ERR_LOCK' && err.message.includes(lock),
  );
  assert.equal(readFileSync(join(lock, 'owner.cline'), 'utf8'), 'cline');
  const old = new Date(Date.now() - 20_000);
  utimesSync(lock, old, old);
  assert.equal(await withSettingsLock(path, () => 'ran', 5_000), 'ran');
  assert.equal(existsSync(lock), false);
});
