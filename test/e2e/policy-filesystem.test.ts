/**
 * The path policy end to end: the SDK's real client, the built CLI (`mcp-guard run` with a
 * manifest) and the real server-filesystem started with `/` as its allowed directory, while
 * `paths.roots` is one temp folder. Reads and writes inside the root work; every path attack
 * expressible on this host is refused by mcp-guard itself (`Blocked by mcp-guard:`) and the file
 * it aimed at is neither read nor changed; the server ends up allowing only the root.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { nodeCommand } from '../helpers/fixtures.js';
import { BLOCKED, SECRET, connectPathServer, pathWorkspace } from '../helpers/path-servers.js';
import { SERVER_FILESYSTEM } from '../helpers/paths.js';
import type { TempDir } from '../helpers/processes.js';
import type { JsonObject } from '../helpers/raw-client.js';

/** A workspace: the root, a folder outside it, a prefix-sharing sibling, symlinks out. */
async function workspace(t: TestContext) {
  const { dir, base, at } = await pathWorkspace(t);
  await mkdir(at('root', 'notes'));
  await mkdir(at('root-evil'));
  await mkdir(at('docs'));
  await writeFile(at('root', 'notes', 'todo.md'), '# todo\n');
  await writeFile(at('root', '.env'), 'API_KEY=do-not-leak\n');
  await writeFile(at('root-evil', 'x.txt'), SECRET);
  await writeFile(at('docs', 'manual.md'), 'read-only manual\n');
  await symlink(at('outside'), at('root', 'out'));
  await symlink('c2', at('root', 'c1'));
  await symlink(at('outside', 'secret.txt'), at('root', 'c2'));
  await symlink(at('outside', 'planted.txt'), at('root', 'dangle'));
  await symlink('.env', at('root', 'env-alias'));
  await symlink(at('root'), at('linkroot'));
  return { dir, base, at };
}

/** server-filesystem on `/` behind mcp-guard, with `paths` from the manifest; connected. */
const guardedFilesystem = (t: TestContext, dir: TempDir, entry: JsonObject) =>
  connectPathServer(t, dir, nodeCommand(SERVER_FILESYSTEM, '/'), {
    name: 'files',
    entry,
    awaitRoots: true,
  });

void test(
  'server-filesystem on / behind mcp-guard: the root works, every path attack is blocked, the server sees only the root',
  { timeout: 120_000 },
  async (t) => {
    const { dir, at } = await workspace(t);
    const root = at('root');
    const { sdk, step, guarded, call, close } = await guardedFilesystem(t, dir, {
      cwd: root,
      env: { HOME: at('outside') },
      paths: { roots: [root], readOnly: [at('docs')], deny: ['**/.env'] },
    });

    // The server was started with `/`; mcp-guard gave it the root, and only the root.
    const allowed = await call('list_allowed_directories', {});
    assert.equal(allowed.isError, false);
    assert.deepEqual(allowed.text.split('\n').slice(1), [root], allowed.text);

    // Inside the root: reads, relative paths, listings, writes.
    const inside: [string, Record<string, unknown>, RegExp][] = [
      ['read_text_file', { path: at('root', 'hello.txt') }, /hello from the root/],
      ['read_text_file', { path: 'hello.txt' }, /hello from the root/],
      ['read_text_file', { path: `${root}/notes/../hello.txt` }, /hello from the root/],
      ['read_text_file', { path: `${root}/` + 'notes/todo.md' }, /# todo/],
      ['list_directory', { path: `${root}/` }, /\[FILE\] hello\.txt/],
      [
        'read_multiple_files',
        { paths: [at('root', 'hello.txt'), at('root', 'notes', 'todo.md')] },
        /hello from the root[\s\S]*# todo/,
      ],
      [
        'write_file',
        { path: at('root', 'new.txt'), content: '/* written */' },
        /Successfully wrote/,
      ],
    ];
    for (const [tool, args, expected] of inside) {
      const result = await call(tool, args);
      assert.equal(result.isError, false, `${tool} ${JSON.stringify(args)}: ${result.text}`);
      assert.match(result.text, expected);
    }
    assert.equal(await readFile(at('root', 'new.txt'), 'utf8'), '/* written */');

    // Attacks: each refused by mcp-guard itself, nothing outside read.
    const read = (path: string): [string, Record<string, unknown>] => ['read_text_file', { path }];
    const attacks: [label: string, tool: string, args: Record<string, unknown>][] = [
      ['.. traversal', ...read(`${root}/../outside/secret.txt`)],
      ['a relative path climbing out', ...read('../outside/secret.txt')],
      ['prefix collision', ...read(at('root-evil', 'x.txt'))],
      ['prefix collision, trailing separator', 'list_directory', { path: `${at('root-evil')}/` }],
      ['a symlink inside the root pointing out', ...read(at('root', 'out', 'secret.txt'))],
      ['a symlink chain ending outside', ...read(at('root', 'c1'))],
      ['a NUL byte', ...read(`${at('root', 'hello.txt')}\0`)],
      ['~ (the server’s HOME)', ...read('~/secret.txt')],
      ['a file:// URI', ...read(pathToFileURL(at('outside', 'secret.txt')).href)],
      ['a %2e%2e URI', ...read(`file://${root}/%2e%2e/outside/secret.txt`)],
      ['a ..%2f URI', ...read(`file://${root}/..%2foutside%2fsecret.txt`)],
      ['a file URI on another host', ...read(`file://example.com${at('root', 'hello.txt')}`)],
      ['another case of the root (case-sensitive here)', ...read(at('ROOT', 'hello.txt'))],
      ['a Windows drive path', ...read('C:\\Windows\\win.ini')],
      ['a \\\\?\\ path', ...read('\\\\?\\C:\\Windows\\win.ini')],
      ['a UNC path', ...read('\\\\server\\share\\secret.txt')],
      ['a denied .env inside the root', ...read(at('root', '.env'))],
      ['a symlink to the denied .env', ...read(at('root', 'env-alias'))],
      [
        'one bad path among good ones',
        'read_multiple_files',
        { paths: [at('root', 'hello.txt'), at('root', 'out', 'secret.txt'), 'notes/todo.md'] },
      ],
      ['searching outside', 'search_files', { path: at('outside'), pattern: '*' }],
      ['get_file_info outside', 'get_file_info', { path: at('outside', 'secret.txt') }],
    ];
    for (const [label, tool, args] of attacks) {
      const result = await call(tool, args);
      assert.equal(result.isError, true, `${label}: ${result.text}`);
      assert.match(result.text, BLOCKED, label);
      assert.doesNotMatch(result.text, /top secret|do-not-leak|hello from the root/, label);
    }

    // Writes aimed outside: refused, and nothing outside changes.
    const writes: [label: string, tool: string, args: Record<string, unknown>][] = [
      ['write outside', 'write_file', { path: at('outside', 'new.txt'), content: 'x' }],
      [
        'write through a dangling symlink',
        'write_file',
        { path: at('root', 'dangle'), content: 'x' },
      ],
      [
        'overwrite the secret via ..',
        'write_file',
        { path: `${root}/../outside/secret.txt`, content: 'x' },
      ],
      [
        'move a file out',
        'move_file',
        { source: at('root', 'hello.txt'), destination: at('outside', 'moved.txt') },
      ],
      ['create a folder outside', 'create_directory', { path: at('outside', 'made') }],
      [
        'write into a read-only folder',
        'write_file',
        { path: at('docs', 'manual.md'), content: 'x' },
      ],
      [
        'edit a file outside',
        'edit_file',
        { path: at('outside', 'secret.txt'), edits: [{ oldText: 'top', newText: 'bottom' }] },
      ],
    ];
    for (const [label, tool, args] of writes) {
      const result = await call(tool, args);
      assert.match(result.text, BLOCKED, label);
    }
    assert.equal(await readFile(at('outside', 'secret.txt'), 'utf8'), SECRET);
    assert.equal(await readFile(at('docs', 'manual.md'), 'utf8'), 'read-only manual\n');
    assert.equal(await readFile(at('root', 'hello.txt'), 'utf8'), 'hello from the root\n');
    for (const made of ['new.txt', 'planted.txt', 'moved.txt', 'made'])
      assert.equal(existsSync(at('outside', made)), false, made);

    // resources/read of a file: URI outside is a JSON-RPC error -31050.
    await assert.rejects(
      step(
        'resources/read',
        sdk.client.readResource({ uri: pathToFileURL(at('outside', 'secret.txt')).href }),
      ),
      (error: { code?: unknown; message?: unknown }) => {
        assert.equal(error.code, ErrorCode.PolicyDenied);
        assert.match(String(error.message), /Blocked by mcp-guard: resource uri/);
        return true;
      },
    );

    // Every refusal is audited with the rule and the reason.
    const denials = guarded.audit().filter((record) => record.event === 'policy.deny');
    assert.equal(denials.length, attacks.length + writes.length + 1);
    assert.ok(denials.every((record) => record.rule === 'paths'));
    assert.ok(
      denials.some((record) =>
        String(record.reason).includes(`resolves to ${at('outside', 'secret.txt')}`),
      ),
    );
    await close();
  },
);

void test(
  'a symlinked root is compared by its real path: reads there pass, .. out of the link is blocked',
  { timeout: 60_000 },
  async (t) => {
    const { dir, at } = await workspace(t);
    const { call, close } = await guardedFilesystem(t, dir, {
      cwd: at('linkroot'),
      paths: { roots: [at('linkroot')] },
    });
    // server-filesystem serves the root's real path, which mcp-guard accepts as the root.
    const listed = await call('list_allowed_directories', {});
    assert.deepEqual(listed.text.split('\n').slice(1), [at('root')], listed.text);
    const real = await call('read_text_file', { path: at('root', 'hello.txt') });
    assert.equal(real.isError, false, real.text);
    assert.match(real.text, /hello from the root/);
    const escaped = await call('read_text_file', {
      path: `${at('linkroot')}/../outside/secret.txt`,
    });
    assert.match(escaped.text, BLOCKED);
    assert.doesNotMatch(escaped.text, /top secret/);
    await close();
  },
);
