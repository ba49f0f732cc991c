/**
 * Parser differentials end to end, with the sandbox off so that mcp-guard's path policy is the
 * only thing between the model and the disk: the SDK's real client, the built CLI, and
 *
 * - a server that opens `new URL(uri)` (test/fixtures/url-reader.mjs): `file:` URIs with tabs or
 *   newlines in the scheme, C0 controls around them, `\`, `localhost`, or a query that climbs,
 *   read outside the root without mcp-guard and are refused with it;
 * - the real server-filesystem, which resolves a decomposed (NFD) name to the composed (NFC)
 *   folder on disk: a read-only folder is not written through its NFD spelling; and deny rules
 *   and read-only folders hold after a folder above them is renamed — to another name or to one
 *   with a line break — by the server's own move_file.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { fixtureCommand, nodeCommand } from '../helpers/fixtures.js';
import { BLOCKED, SECRET, connectPathServer, pathWorkspace } from '../helpers/path-servers.js';
import { SERVER_FILESYSTEM } from '../helpers/paths.js';
import type { TempDir } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';

const OFF = { mode: 'off' };

/** The url-reader fixture, or server-filesystem on `/`, behind mcp-guard; connected. */
const connect = (t: TestContext, dir: TempDir, server: 'url-reader' | 'files', entry: JsonObject) =>
  connectPathServer(
    t,
    dir,
    server === 'files' ? nodeCommand(SERVER_FILESYSTEM, '/') : fixtureCommand('url-reader'),
    { name: server, entry, awaitRoots: server === 'files' },
  );

void test(
  'a server that opens new URL(uri): every spelling of a file: URI outside the root is refused',
  { timeout: 120_000 },
  async (t) => {
    const { dir, at } = await pathWorkspace(t);
    const secret = at('outside', 'secret.txt');
    const attacks: [label: string, tool: string, uri: string][] = [
      ['a tab inside the scheme', 'read_uri', `fi\tle://${secret}`],
      ['a newline inside the scheme', 'read_uri', `fil\ne://${secret}`],
      ['a leading C0 control', 'read_uri', `\u0001file://${secret}`],
      ['C0 and spaces around it', 'read_uri', ` \u001f file://${secret}\u0002 `],
      [
        'mixed case and a tab in the path',
        'read_uri',
        `FiLe://${secret.replace('/outside', '/out\tside')}`,
      ],
      ['backslashes', 'read_uri', `file://${secret.replace(/\//g, '\\')}`],
      ['a localhost host', 'read_uri', `file://localhost${secret}`],
      [
        '%2e%2e behind a tabbed scheme',
        'read_uri',
        `f\tile://${at('root')}/%2e%2e/outside/secret.txt`,
      ],
      [
        'a query that climbs, read as text',
        'read_text',
        `file://${at('root')}/x?/../../outside/secret.txt`,
      ],
    ];

    // Without a path policy the server reads every one of them: the differential is real.
    const open = await connect(t, dir, 'url-reader', { sandbox: OFF, paths: { roots: [] } });
    for (const [label, tool, uri] of attacks) {
      const result = await open.call(tool, { uri });
      assert.equal(result.text, SECRET, `${label} reads the secret without mcp-guard's paths`);
    }
    await open.close();

    const { sdk, step, call, close } = await connect(t, dir, 'url-reader', {
      cwd: at('root'),
      sandbox: OFF,
      paths: { roots: [at('root')] },
    });
    const inside = await call('read_uri', { uri: `fi\tle://${at('root', 'hello.txt')}` });
    assert.equal(inside.isError, false, inside.text);
    assert.match(inside.text, /hello from the root/);
    for (const [label, tool, uri] of attacks) {
      for (const args of [{ uri }, { uri, note: 'same under any name' }]) {
        const result = await call(tool, args);
        assert.match(result.text, BLOCKED, label);
        assert.doesNotMatch(result.text, /top secret/, label);
      }
    }
    for (const uri of [`fi\tle://${secret}`, `\u0001file://${secret}`]) {
      await assert.rejects(
        step('resources/read', sdk.client.readResource({ uri })),
        (error: { code?: unknown; message?: unknown }) => {
          assert.equal(error.code, ErrorCode.PolicyDenied);
          assert.doesNotMatch(String(error.message), /top secret/);
          return true;
        },
      );
    }
    await close();
  },
);

void test(
  'server-filesystem: a read-only folder is not written through its NFD spelling, and renames above restrictions lift nothing',
  { timeout: 120_000 },
  async (t) => {
    const { dir, at } = await pathWorkspace(t);
    const cafe = 'caf\u00e9'; // NFC on disk
    const cafeNfd = 'cafe\u0301';
    await mkdir(at('root', cafe));
    await mkdir(at('root', 'r\u00e9sum\u00e9'));
    await mkdir(at('root', 'conf', 'secrets'), { recursive: true });
    await mkdir(at('root', 'app'));
    await mkdir(at('root', 'lib', 'vendor'), { recursive: true });
    await writeFile(at('root', cafe, 'menu.md'), 'read-only menu\n');
    await writeFile(at('root', 'conf', 'secrets', 'token'), SECRET);
    await writeFile(at('root', 'app', '.env'), SECRET);
    await writeFile(at('root', 'lib', 'vendor', 'lib.js'), 'vendored\n');
    const { sdk, call, close } = await connect(t, dir, 'files', {
      cwd: at('root'),
      sandbox: OFF,
      paths: {
        roots: [at('root')],
        readOnly: [at('root', cafe), at('root', 'lib', 'vendor')],
        deny: [`${at('root', 'conf', 'secrets')}/**`, '**/.env'],
      },
    });

    // The listing tells mcp-guard which tools are read-only.
    await sdk.client.listTools();

    // server-filesystem writes an NFD name into the NFC folder on disk.
    const nfdWrite = await call('write_file', {
      path: at('root', 're\u0301sume\u0301', 'cv.md'),
      content: 'written',
    });
    assert.equal(nfdWrite.isError, false, nfdWrite.text);
    assert.equal(await readFile(at('root', 'r\u00e9sum\u00e9', 'cv.md'), 'utf8'), 'written');

    // So the read-only folder's NFD (and other-case) spellings are read-only too.
    for (const path of [
      at('root', cafeNfd, 'menu.md'),
      at('root', 'CAFE\u0301', 'menu.md'),
      `file://${at('root')}/cafe%CC%81/menu.md`,
    ]) {
      const result = await call('write_file', { path, content: 'overwritten' });
      assert.match(result.text, BLOCKED, path);
      const edit = await call('edit_file', {
        path,
        edits: [{ oldText: 'read-only', newText: 'changed' }],
      });
      assert.match(edit.text, BLOCKED, path);
    }
    assert.equal(await readFile(at('root', cafe, 'menu.md'), 'utf8'), 'read-only menu\n');
    const readNfd = await call('read_text_file', { path: at('root', cafeNfd, 'menu.md') });
    assert.match(readNfd.text, /read-only menu/, 'read-only tools may still read it');

    // The server renames folders above the restrictions: allowed, since the names are free…
    const moves: [string, string][] = [
      [at('root', 'conf'), at('root', 'settings')],
      [at('root', 'app'), at('root', 'a\nb')],
      [at('root', 'lib'), at('root', 'lib2')],
    ];
    for (const [source, destination] of moves) {
      const moved = await call('move_file', { source, destination });
      assert.equal(moved.isError, false, moved.text);
      assert.ok(existsSync(destination), destination);
    }
    // …but what they held stays denied or read-only.
    for (const path of [at('root', 'settings', 'secrets', 'token'), at('root', 'a\nb', '.env')]) {
      const result = await call('read_text_file', { path });
      assert.match(result.text, BLOCKED, path);
      assert.doesNotMatch(result.text, /top secret/, path);
    }
    const vendored = at('root', 'lib2', 'vendor', 'lib.js');
    const overwrite = await call('write_file', { path: vendored, content: 'overwritten' });
    assert.match(overwrite.text, /^Blocked by mcp-guard: paths: .*read-only path/s);
    assert.equal(await readFile(vendored, 'utf8'), 'vendored\n');
    await close();
  },
);
