import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageFolders, resolveProgram, type ProgramInput } from '../../../src/sandbox/program.js';
import { fakeFs, type FakeEntry } from './fake-fs.js';

const HOME = '/home/u';
const NVM = `${HOME}/.nvm/versions/node/v20.11.0`;
const PIPX = `${HOME}/.local/share/pipx/venvs/mcp-x`;
const UV_PY = `${HOME}/.local/share/uv/python/cpython-3.12`;

const tree: Record<string, FakeEntry> = {
  '/usr/bin/node': 'exec',
  '/usr/bin/env': 'exec',
  '/usr/bin/python3': 'exec',
  '/bin': { link: 'usr/bin' },
  [`${NVM}/bin/node`]: 'exec',
  [`${NVM}/bin/npx`]: { link: '../lib/node_modules/npm/bin/npx-cli.js' },
  [`${NVM}/lib/node_modules/npm/bin/npx-cli.js`]: { text: '#!/usr/bin/env node\n', exec: true },
  [`${HOME}/.local/bin/uvx`]: 'exec',
  [`${HOME}/.local/bin/mcp-x`]: { link: `${PIPX}/bin/mcp-x` },
  [`${PIPX}/bin/mcp-x`]: { text: `#!${PIPX}/bin/python\nimport x\n`, exec: true },
  [`${PIPX}/bin/python`]: { link: `${UV_PY}/bin/python3.12` },
  [`${PIPX}/pyvenv.cfg`]: { text: `home = ${UV_PY}/bin\nversion = 3.12\n` },
  [`${UV_PY}/bin/python3.12`]: 'exec',
  [`${HOME}/.cargo/bin/tool`]: 'exec',
  [`${HOME}/.cargo/credentials.toml`]: 'file',
  [`${HOME}/server`]: 'exec',
  [`${HOME}/tools`]: { link: '/opt/tools' },
  '/opt/tools/bin/srv': 'exec',
  '/opt/app/run': 'exec',
  '/repo/package.json': 'file',
  '/repo/node_modules/@s/server/dist/index.js': 'file',
  '/repo/node_modules/@s/server/package.json': 'file',
  '/mono/node_modules/dep/index.js': 'file',
  '/mono/packages/srv/package.json': 'file',
  '/mono/packages/srv/build/index.js': 'file',
  [`${HOME}/proj/pyproject.toml`]: 'file',
  [`${HOME}/proj/src/server.py`]: 'file',
  [`${HOME}/loose/script.py`]: 'file',
  [`${HOME}/.aws/credentials`]: 'file',
  '/data/dir/file.txt': 'file',
};
const fs = fakeFs(tree);

function resolve(command: string, args: string[] = [], more: Partial<ProgramInput> = {}) {
  return resolveProgram(
    {
      command,
      args,
      cwd: '/work',
      searchPath: `${NVM}/bin:/usr/bin`,
      home: HOME,
      visible: ['/usr', '/etc'],
      ...more,
    },
    fs,
  );
}

test('a command on PATH: the first executable hit; /usr adds nothing (already shown)', () => {
  assert.deepEqual(resolve('python3'), { exec: '/usr/bin/python3', readOnly: [], planted: [] });
});

test('node from nvm under $HOME: its whole install, read-only', () => {
  assert.deepEqual(resolve('node'), { exec: `${NVM}/bin/node`, readOnly: [NVM], planted: [] });
});

test("npx (a link to a script run through 'env node'): the install of both", () => {
  const view = resolve('npx', ['-y', '@scope/pkg']);
  assert.equal(view.exec, `${NVM}/bin/npx`);
  assert.deepEqual(view.readOnly, [NVM, `${NVM}/lib/node_modules/npm`]);
});

test('~/.local/bin and ~/.cargo/bin hold more than programs: only the file itself', () => {
  assert.deepEqual(resolve(`${HOME}/.local/bin/uvx`).readOnly, [`${HOME}/.local/bin/uvx`]);
  assert.deepEqual(resolve(`${HOME}/.cargo/bin/tool`).readOnly, [`${HOME}/.cargo/bin/tool`]);
  assert.deepEqual(resolve(`${HOME}/server`).readOnly, [`${HOME}/server`]);
});

test('a pipx link: the venv, its interpreter and the base Python named by pyvenv.cfg', () => {
  const view = resolve(`${HOME}/.local/bin/mcp-x`);
  assert.equal(view.exec, `${HOME}/.local/bin/mcp-x`);
  assert.deepEqual(view.readOnly, [`${HOME}/.local/bin/mcp-x`, PIPX, UV_PY]);
});

test('a command reached through a symlinked folder runs from the real folder, keeping its name', () => {
  const view = resolve(`${HOME}/tools/bin/srv`);
  assert.deepEqual(view, { exec: '/opt/tools/bin/srv', readOnly: ['/opt/tools'], planted: [] });
});

test('a binary outside a bin folder: its folder', () => {
  assert.deepEqual(resolve('/opt/app/run').readOnly, ['/opt/app']);
});

test('relative commands are taken from cwd; a missing command has no exec', () => {
  assert.equal(resolve('./run', [], { cwd: '/opt/app' }).exec, '/opt/app/run');
  assert.deepEqual(resolve('no-such-tool'), { exec: null, readOnly: [], planted: [] });
  assert.deepEqual(resolve('/nope/srv'), { exec: null, readOnly: [], planted: [] });
});

test('files named in args bring their package folder; other args bring nothing', () => {
  const cases: [string[], string[]][] = [
    [['/repo/node_modules/@s/server/dist/index.js'], ['/repo/node_modules']],
    [['/mono/packages/srv/build/index.js'], ['/mono/node_modules', '/mono/packages/srv']],
    [['src/server.py'], [`${HOME}/proj`]],
    [[`${HOME}/loose/script.py`], [`${HOME}/loose/script.py`]],
    [['--config', `${HOME}/.aws/credentials`], [`${HOME}/.aws/credentials`]],
    [['/data/dir', '-y', 'pkg@1.0', ''], []],
  ];
  for (const [args, expected] of cases) {
    const cwd = `${HOME}/proj`;
    const view = resolve('/usr/bin/node', args, { cwd });
    assert.deepEqual(view.readOnly, expected, args.join(' '));
  }
});

test('package folders never reach $HOME or above', () => {
  const home = fakeFs({ '/home/u/package.json': 'file', '/home/u/a/b.js': 'file' });
  assert.deepEqual(packageFolders('/home/u/a/b.js', '/home/u', home), ['/home/u/a/b.js']);
  const root = fakeFs({ '/package.json': 'file', '/x/b.js': 'file' });
  assert.deepEqual(packageFolders('/x/b.js', null, root), ['/x/b.js']);
});
