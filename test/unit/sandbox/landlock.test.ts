import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrialResult } from '../../../src/sandbox/backend.js';
import {
  handledFs,
  handledNet,
  landlockCoverage,
  rightsFor,
  rulesetAttrSize,
  scoped,
} from '../../../src/sandbox/landlock-abi.js';
import { probeLandlock } from '../../../src/sandbox/landlock-probe.js';
import { landlockWrap } from '../../../src/sandbox/landlock.js';
import { denyFilter } from '../../../src/sandbox/seccomp.js';
import { landlockRules, landlockSystem } from '../../../src/sandbox/landlock-rules.js';
import type { SandboxView } from '../../../src/sandbox/view.js';
import { fakeFs } from './fake-fs.js';

const view = (more: Partial<SandboxView> = {}): SandboxView => ({
  exec: '/usr/bin/node',
  cwd: '/home/u/proj',
  home: '/home/u',
  homeReal: '/home/u',
  program: [],
  roots: ['/home/u/proj'],
  readOnly: [],
  links: [],
  masks: { files: [], dirs: [], runnable: [], incomplete: null },
  hidden: { dirs: [], files: [] },
  protect: [],
  create: [],
  createDirs: [],
  refusal: null,
  stateDir: null,
  cacheDir: '/home/u/proj/.mcp-guard/cache/files',
  env: {},
  notes: [],
  ...more,
});

const rulesOf = (v: SandboxView, fs = fakeFs({}), budget = 1000) => {
  const result = landlockRules(
    { view: v, tmpDir: `${v.cacheDir}/tmp`, budget, network: 'deny' },
    fs,
  );
  assert.ok('rules' in result, JSON.stringify(result));
  return result.rules.filter((r) => r.path.startsWith('/home')).map((r) => `${r.access} ${r.path}`);
};

test('a root with nothing to hide is one read-write rule; the cache and its tmp their own', () => {
  assert.deepEqual(rulesOf(view(), fakeFs({ '/home/u/proj/a.txt': 'file' })), [
    'write /home/u/proj',
    'write /home/u/proj/.mcp-guard/cache/files',
  ]);
});

test('a root holding a denied file, the manifest, the state folder: carved around them', () => {
  const fs = fakeFs({
    '/home/u/proj/.env': 'file',
    '/home/u/proj/mcp-guard.yaml': 'file',
    '/home/u/proj/src/index.js': 'file',
    '/home/u/proj/app.sock': 'socket',
    '/home/u/proj/link': { link: '/home/u/.ssh' },
    '/home/u/proj/.mcp-guard/audit.jsonl': 'file',
    '/home/u/proj/.mcp-guard/cache/files/x': 'file',
    '/home/u/proj/readme.md': 'file',
  });
  const rules = rulesOf(
    view({
      masks: {
        files: ['/home/u/proj/.env', '/home/u/proj/app.sock'],
        dirs: [],
        runnable: [],
        incomplete: null,
      },
      protect: ['/home/u/proj/mcp-guard.yaml'],
      stateDir: '/home/u/proj/.mcp-guard',
    }),
    fs,
  );
  assert.deepEqual(rules.sort(), [
    'list /home/u/proj',
    'read /home/u/proj/mcp-guard.yaml',
    'write /home/u/proj/.mcp-guard/cache/files',
    'write /home/u/proj/readme.md',
    'write /home/u/proj/src',
  ]);
});

test('a read-only path inside a root is read-only; a denied file two levels down is carved to', () => {
  const fs = fakeFs({
    '/home/u/proj/vendor/lib.js': 'file',
    '/home/u/proj/conf/secrets/.env': 'file',
    '/home/u/proj/conf/secrets/ok.txt': 'file',
    '/home/u/proj/conf/app.json': 'file',
  });
  const rules = rulesOf(
    view({
      readOnly: ['/home/u/proj/vendor'],
      masks: {
        files: ['/home/u/proj/conf/secrets/.env'],
        dirs: [],
        runnable: [],
        incomplete: null,
      },
    }),
    fs,
  );
  assert.deepEqual(rules.sort(), [
    'list /home/u/proj',
    'list /home/u/proj/conf',
    'list /home/u/proj/conf/secrets',
    'read /home/u/proj/vendor',
    'read /home/u/proj/vendor',
    'write /home/u/proj/.mcp-guard/cache/files',
    'write /home/u/proj/conf/app.json',
    'write /home/u/proj/conf/secrets/ok.txt',
  ]);
});

test('carving past its budget refuses the launch, naming the folder', () => {
  const tree: Record<string, 'file'> = { '/home/u/proj/.env': 'file' };
  for (let i = 0; i < 20; i++) tree[`/home/u/proj/f${i}`] = 'file';
  const result = landlockRules(
    {
      view: view({
        masks: { files: ['/home/u/proj/.env'], dirs: [], runnable: [], incomplete: null },
      }),
      tmpDir: '/t',
      budget: 10,
      network: 'deny',
    },
    fakeFs(tree),
  );
  assert.deepEqual(result, {
    refusal:
      'the Landlock rules around what must stay hidden need more than 10 entries (stopped in /home/u/proj)',
  });
});

test('the system folders: merged /usr adds only /usr; split ones are read as they are', () => {
  const merged = fakeFs({
    '/usr/bin/node': 'exec',
    '/bin': { link: 'usr/bin' },
    '/etc/hosts': 'file',
  });
  assert.deepEqual(landlockSystem(merged), ['/usr', '/etc']);
  const split = fakeFs({ '/usr/bin/node': 'exec', '/bin/sh': 'exec', '/lib64/ld.so': 'file' });
  assert.deepEqual(landlockSystem(split), ['/usr', '/bin', '/lib64']);
});

test('rights by ABI: what the kernel does not know is neither handled nor granted', () => {
  assert.equal(handledFs(2), (1n << 14n) - 1n);
  assert.equal(handledFs(7), (1n << 16n) - 1n);
  assert.equal(handledNet(3, true), 0n);
  assert.equal(handledNet(4, true), 3n);
  assert.equal(handledNet(7, false), 0n);
  assert.equal(scoped(5), 0n);
  assert.equal(scoped(6), 3n);
  assert.deepEqual([2, 4, 6].map(rulesetAttrSize), [8, 16, 24]);
  assert.equal(rightsFor('read', 7, true), 0b101n);
  assert.equal(rightsFor('read', 7, false), 0b1101n);
  assert.equal(rightsFor('list', 7, false), 0b1000n);
  assert.equal(rightsFor('write', 2, false) & (1n << 14n), 0n, 'no truncate right before ABI 3');
  // execute, write and read file, truncate; never a device's ioctl
  assert.equal(rightsFor('write', 7, true), (1n << 14n) | 0b111n);
});

test('coverage: TCP from ABI 4, scoping from ABI 6, and always the limits bubblewrap has not', () => {
  const old = landlockCoverage(3, 'deny');
  assert.ok(old.limits.some((l) => /network deny: not enforced/.test(l)));
  assert.ok(old.limits.some((l) => /abstract unix sockets and signals not scoped/.test(l)));
  const now = landlockCoverage(7, 'deny', true);
  assert.ok(now.confines.some((l) => /TCP connect and bind refused/.test(l)));
  // The socket program (seccomp) closes UDP and unix sockets by path under deny.
  assert.ok(now.confines.some((l) => /no UDP, no unix socket reached by path/.test(l)));
  assert.ok(!now.limits.some((l) => /UDP|unix sockets/.test(l)), JSON.stringify(now.limits));
  assert.ok(now.limits.some((l) => /no process isolation/.test(l)));
  // Where there is no program for the architecture, both stay open and are listed.
  const unfiltered = landlockCoverage(7, 'deny', false);
  assert.ok(unfiltered.limits.some((l) => /UDP/.test(l)));
  assert.ok(unfiltered.limits.some((l) => /host unix sockets/.test(l)));
  const allow = landlockCoverage(7, 'allow', true);
  assert.ok(!allow.limits.some((l) => /UDP/.test(l)));
  assert.ok(allow.limits.some((l) => /host unix sockets/.test(l)));
});

const probe = (result: TrialResult, platform: NodeJS.Platform = 'linux') =>
  probeLandlock({ platform, env: {}, fs: fakeFs({}), run: () => Promise.resolve(result) });

test('the trial: the ABI the launcher reports, or why Landlock cannot be used and the fix', async () => {
  const ok = await probe({ code: 0, stdout: '{"abi":7,"errno":0}\n', stderr: '' });
  assert.deepEqual([ok.backend, ok.usable, ok.version], ['landlock', true, 'ABI 7']);
  const off = await probe({ code: 0, stdout: '{"abi":0,"errno":95}\n', stderr: '' });
  assert.equal(off.usable, false);
  assert.match(off.fix ?? '', /lsm=/);
  const none = await probe({ code: 0, stdout: '{"abi":0,"errno":38}\n', stderr: '' });
  assert.equal(none.cause, 'the kernel has no Landlock');
  const old = await probe({ code: 0, stdout: '{"abi":1,"errno":0}\n', stderr: '' });
  assert.match(old.cause ?? '', /ABI 1 is too old/);
  const broken = await probe({ code: 1, stdout: '', stderr: "Cannot find package 'koffi'\n" });
  assert.match(broken.cause ?? '', /launcher could not run: Cannot find package 'koffi'/);
  const mac = await probe({ code: 0, stdout: '', stderr: '' }, 'darwin');
  assert.equal(mac.cause, 'Landlock is a Linux feature');
});

test('the launch spec: the socket program under network deny (base64), none under allow', () => {
  const request = {
    binary: '/opt/mcp-guard/dist/sandbox/landlock-launcher.js',
    view: view(),
    exec: '/usr/bin/node',
    args: ['server.js'],
    network: 'deny' as const,
    version: 'ABI 7',
    asRoot: false,
  };
  const spec = (network: 'allow' | 'deny') =>
    JSON.parse(landlockWrap({ ...request, network }, network, fakeFs({})).wrapperArgs[0]!) as {
      filter?: string;
    };
  assert.deepEqual(Buffer.from(spec('deny').filter!, 'base64'), denyFilter('landlock'));
  assert.equal(spec('allow').filter, undefined);
  const denied = landlockWrap(request, 'deny', fakeFs({}));
  assert.ok(!(denied.limits ?? []).some((l) => /UDP|unix sockets/.test(l)));
  assert.equal(denied.notes, undefined);
});
