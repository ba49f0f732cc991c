import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plantedLink } from '../../../src/sandbox/planted-links.js';
import { resolveProgram } from '../../../src/sandbox/program.js';
import { fakeFs } from './fake-fs.js';

const fs = fakeFs({
  '/home/u/.ssh/id_ed25519': 'file',
  '/home/u/work/docs': { link: '/home/u' },
  '/home/u/work/ok/file.txt': 'file',
  '/home/u/proj': { link: '/home/u/work' },
  '/home/u/work/node_modules': { link: '/home/u' },
  '/home/u/work/srv/package.json': 'file',
  '/home/u/work/srv/index.js': 'file',
  '/home/u/work/entry.js': { link: '/home/u/.ssh/id_ed25519' },
  '/data/link': { link: '/home/u/.ssh' },
});
const WRITABLE = ['/home/u/work'];

test('a symlink inside a writable folder is planted; one outside it is the user’s', () => {
  const cases: [string, string | null][] = [
    ['/home/u/work/docs', '/home/u/work/docs'],
    ['/home/u/work/docs/.ssh/id_ed25519', '/home/u/work/docs'],
    ['/home/u/work/ok/file.txt', null],
    ['/home/u/work/missing/later', null],
    // The user's own link to the workspace: followed, then a planted one inside it is found.
    ['/home/u/proj/docs', '/home/u/work/docs'],
    ['/home/u/proj/ok', null],
    ['/data/link', null],
  ];
  for (const [path, expected] of cases) {
    assert.equal(plantedLink(path, WRITABLE, fs), expected, path);
  }
  assert.equal(plantedLink('/home/u/work/docs', [], fs), null, 'nothing writable: none planted');
});

test('finding the program follows no planted link: an argument or an ancestor node_modules', () => {
  const program = (args: string[]) =>
    resolveProgram(
      {
        command: '/usr/bin/node',
        args,
        cwd: '/home/u/work',
        searchPath: '/usr/bin',
        home: '/home/u',
        visible: ['/usr', '/etc'],
        writable: WRITABLE,
      },
      fakeFs({ '/usr/bin/node': 'exec' }),
    );
  assert.deepEqual(program([]).planted, []);
  const found = resolveProgram(
    {
      command: 'node',
      args: ['srv/index.js', 'entry.js'],
      cwd: '/home/u/work',
      searchPath: '/usr/bin',
      home: '/home/u',
      visible: ['/usr', '/etc'],
      writable: WRITABLE,
    },
    fakeFs({
      '/usr/bin/node': 'exec',
      '/home/u/.ssh/id_ed25519': 'file',
      '/home/u/work/node_modules': { link: '/home/u' },
      '/home/u/work/srv/package.json': 'file',
      '/home/u/work/srv/index.js': 'file',
      '/home/u/work/entry.js': { link: '/home/u/.ssh/id_ed25519' },
    }),
  );
  assert.deepEqual(found.planted, ['/home/u/work/entry.js', '/home/u/work/node_modules']);
  assert.deepEqual(found.readOnly, ['/home/u/work/srv'], 'neither $HOME nor the key is shown');
});
