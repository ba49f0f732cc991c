import assert from 'node:assert/strict';
import { test } from 'node:test';
import { denyFilter } from '../../../src/sandbox/seccomp.js';
import { planLaunch } from '../../../src/supervisor/launch-plan.js';
import { fakeFs, type FakeEntry } from './fake-fs.js';
import { HOST_ENV, context, groups, server } from './plan-fixtures.js';

const host: Record<string, FakeEntry> = {
  '/usr/bin/node': 'exec',
  '/usr/bin/bwrap': 'exec',
  '/bin': { link: 'usr/bin' },
  '/sbin': { link: 'usr/sbin' },
  '/lib': { link: 'usr/lib' },
  '/lib64': { link: 'usr/lib64' },
  '/etc/hosts': 'file',
  '/etc/resolv.conf': { link: '../run/systemd/resolve/stub-resolv.conf' },
  '/run/systemd/resolve/stub-resolv.conf': 'file',
  '/run/user/1000/bus': 'socket',
  '/run/user/1000/work/notes.md': 'file',
  '/var/run': { link: '/run' },
  '/var/run/docker.sock': 'socket',
  '/home/u/.ssh/id_ed25519': 'file',
  '/home/u/.aws/credentials': 'file',
  '/home/u/proj/package.json': 'file',
  '/home/u/proj/mcp-guard.yaml': 'file',
  '/home/u/proj/.env': 'file',
  '/home/u/proj/src/index.js': 'file',
  '/home/u/proj/docs/guide.md': 'file',
  '/home/u/proj/.mcp-guard/audit.jsonl': 'file',
  '/home/u/link': { link: '/data/shared' },
  '/data/shared/notes.txt': 'file',
  '/tmp/ssh-abc/agent.1': 'socket',
  '/tmp/other/x': 'file',
};
const fs = fakeFs(host);

const main = server({
  paths: {
    roots: ['/home/u/proj', '/home/u/link'],
    readOnly: ['/home/u/proj/docs'],
    deny: ['**/.env'],
  },
});

test('the whole option list, in order: isolation, environment, layout parent-first, masks, state', () => {
  const plan = planLaunch(main, HOST_ENV, context(fs));
  assert.equal(plan.refusal, null);
  assert.equal(plan.command, '/usr/bin/bwrap');
  assert.deepEqual(plan.args, ['--args', '3', '--', '/usr/bin/node', 'src/index.js']);
  assert.deepEqual(plan.env, {}, 'bwrap itself gets no environment');
  assert.equal(plan.cwd, '/home/u/proj');
  assert.deepEqual(plan.createDirs, ['/home/u/proj/.mcp-guard/cache/files']);
  const cache = '/home/u/proj/.mcp-guard/cache/files';
  assert.deepEqual(groups(plan.wrapperArgs), [
    '--unshare-all',
    '--share-net',
    '--unshare-user',
    '--cap-drop ALL',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv HOME /home/u',
    '--setenv PATH /usr/bin',
    '--setenv TOKEN tok-123',
    `--setenv UV_CACHE_DIR ${cache}/uv`,
    `--setenv UV_PYTHON_INSTALL_DIR ${cache}/uv-python`,
    `--setenv UV_TOOL_DIR ${cache}/uv-tools`,
    `--setenv npm_config_cache ${cache}/npm`,
    '--setenv npm_config_prefer_offline true',
    '--setenv npm_config_update_notifier false',
    '--symlink usr/bin /bin',
    '--dev /dev',
    '--ro-bind /etc /etc',
    '--symlink usr/lib /lib',
    '--symlink usr/lib64 /lib64',
    '--proc /proc',
    '--tmpfs /run',
    '--symlink usr/sbin /sbin',
    '--tmpfs /tmp',
    '--ro-bind /usr /usr',
    '--bind /data/shared /data/shared',
    '--tmpfs /home/u',
    '--bind /home/u/proj /home/u/proj',
    '--ro-bind /home/u/proj/docs /home/u/proj/docs',
    '--ro-bind /run/systemd/resolve/stub-resolv.conf /run/systemd/resolve/stub-resolv.conf',
    '--symlink /data/shared /home/u/link',
    '--ro-bind /dev/null /home/u/proj/.env',
    '--ro-bind /home/u/proj/mcp-guard.yaml /home/u/proj/mcp-guard.yaml',
    '--tmpfs /home/u/proj/.mcp-guard',
    `--bind ${cache} ${cache}`,
    '--remount-ro /home/u/proj/.mcp-guard',
    '--chdir /home/u/proj',
  ]);
  assert.deepEqual(plan.sandbox, {
    backend: 'bwrap',
    requested: 'auto',
    network: 'allow',
    version: '0.8.0',
    reason: null,
    notes: [],
  });
});

test('network deny: no --share-net, no resolv.conf, package managers offline', () => {
  const plan = planLaunch(
    server({ ...main, sandbox: { mode: 'required', network: 'deny' } }),
    HOST_ENV,
    context(fs),
  );
  const g = groups(plan.wrapperArgs);
  assert.ok(!g.includes('--share-net'));
  assert.ok(!g.some((x) => x.includes('resolv')));
  assert.ok(g.includes('--setenv npm_config_offline true'));
  assert.ok(g.includes('--setenv UV_OFFLINE 1'));
  assert.equal(plan.sandbox.network, 'deny');
  // The socket program goes to bwrap on descriptor 4, last, after the layout.
  assert.equal(g.at(-1), '--seccomp 4');
  assert.deepEqual(plan.filter, denyFilter('bwrap'));
  // `prepare` overrides the network whatever the manifest says.
  const prepared = planLaunch(
    server({ ...main, sandbox: { mode: 'required', network: 'deny' } }),
    HOST_ENV,
    context(fs, undefined, { network: 'allow' }),
  );
  assert.ok(groups(prepared.wrapperArgs).includes('--share-net'));
  assert.ok(!groups(prepared.wrapperArgs).includes('--setenv npm_config_offline true'));
  assert.ok(!groups(prepared.wrapperArgs).some((x) => x.startsWith('--seccomp')));
  assert.equal(prepared.filter, undefined, 'network allow: no socket program');
});

test('the environment is inheritEnv + cache + env (env wins), nothing else of the host', () => {
  const plan = planLaunch(
    server({ env: { npm_config_cache: '/mine', TOKEN: 't' }, inheritEnv: ['PATH', 'MISSING'] }),
    HOST_ENV,
    context(fs),
  );
  const env = groups(plan.wrapperArgs).filter((g) => g.startsWith('--setenv '));
  assert.ok(env.includes('--setenv npm_config_cache /mine'));
  assert.ok(!env.some((g) => g.includes('SECRET') || g.includes('host-secret')));
  assert.ok(!env.some((g) => g.includes('HOME') || g.includes('MISSING')));
  assert.ok(plan.wrapperArgs.indexOf('--clearenv') < plan.wrapperArgs.indexOf('--setenv'));
});

test('never the host root, nor its /run, nor $HOME as a whole', () => {
  const plan = planLaunch(main, HOST_ENV, context(fs));
  const g = groups(plan.wrapperArgs);
  for (const bad of ['--ro-bind / /', '--bind / /', '--bind /run /run', '--ro-bind /run /run']) {
    assert.ok(!g.includes(bad), bad);
  }
  assert.ok(!g.some((x) => /^--(ro-)?bind \/home\/u /.test(x)));
  assert.ok(!g.some((x) => x.includes('.ssh') || x.includes('.aws')));
});

test('the runtime folder (even around a root) and the agent folder are masked when shown', () => {
  const plan = planLaunch(
    server({
      cwd: '/tmp',
      args: [],
      paths: { roots: ['/tmp', '/run/user/1000/work'], readOnly: [], deny: [] },
    }),
    HOST_ENV,
    context(fs),
  );
  const g = groups(plan.wrapperArgs);
  const last = g.indexOf('--bind /run/user/1000/work /run/user/1000/work');
  assert.ok(last > g.indexOf('--bind /tmp /tmp'));
  for (const dir of ['/run/user/1000', '/tmp/ssh-abc']) {
    const at = g.indexOf(`--tmpfs ${dir}`);
    assert.ok(at > last, dir);
    assert.equal(g[at + 1], `--remount-ro ${dir}`);
  }
  assert.ok(!g.includes('--tmpfs /tmp'), 'a root at /tmp replaces the private /tmp');
});

test("a root that would show the host's /run (through /var/run) gets it masked whole", () => {
  const plan = planLaunch(
    server({ args: [], paths: { roots: ['/var/run'], readOnly: [], deny: [] } }),
    HOST_ENV,
    context(fs),
  );
  const g = groups(plan.wrapperArgs);
  assert.ok(g.indexOf('--tmpfs /run') > g.indexOf('--bind /run /run'));
  assert.ok(g.includes('--remount-ro /run'));
  assert.ok(!g.some((x) => x.startsWith('--ro-bind /dev/null /run/')), 'nothing inside the mask');
});

test('sockets found in a root are masked by /dev/null', () => {
  const withSocket = fakeFs({ ...host, '/home/u/proj/dev.sock': 'socket' });
  const plan = planLaunch(server(), HOST_ENV, context(withSocket));
  assert.ok(groups(plan.wrapperArgs).includes('--ro-bind /dev/null /home/u/proj/dev.sock'));
});

test('a deny glob matching a folder masks it with a read-only tmpfs, after the binds', () => {
  const plan = planLaunch(
    server({ paths: { roots: ['/home/u'], readOnly: [], deny: ['/home/u/.ssh/**', '**/.aws'] } }),
    HOST_ENV,
    context(fs),
  );
  const g = groups(plan.wrapperArgs);
  assert.ok(!g.includes('--tmpfs /home/u'), 'a root containing $HOME replaces the empty $HOME');
  const bind = g.indexOf('--bind /home/u /home/u');
  for (const dir of ['/home/u/.aws', '/home/u/.ssh']) {
    const at = g.indexOf(`--tmpfs ${dir}`);
    assert.ok(at > bind, dir);
    assert.equal(g[at + 1], `--remount-ro ${dir}`);
  }
});

test('a read-only path equal to a root stays read-only; a missing root is noted, not mounted', () => {
  const plan = planLaunch(
    server({ paths: { roots: ['/home/u/proj', '/nope'], readOnly: ['/home/u/proj'], deny: [] } }),
    HOST_ENV,
    context(fs),
  );
  const g = groups(plan.wrapperArgs);
  assert.ok(g.includes('--ro-bind /home/u/proj /home/u/proj'));
  assert.ok(!g.includes('--bind /home/u/proj /home/u/proj'));
  assert.ok(!g.some((x) => x.includes('/nope')));
  assert.deepEqual(plan.sandbox.notes, ['paths.roots /nope does not exist: not shown']);
});

test('a working directory the sandbox does not show is created empty', () => {
  const plan = planLaunch(server({ cwd: '/tmp/other', args: [] }), HOST_ENV, context(fs));
  const g = groups(plan.wrapperArgs);
  assert.deepEqual(g.slice(-2), ['--dir /tmp/other', '--chdir /tmp/other']);
});

test('where /usr is not merged, /bin and /lib are read-only binds', () => {
  const split = fakeFs({ '/usr/bin/node': 'exec', '/bin/sh': 'exec', '/lib/libc.so': 'file' });
  const plan = planLaunch(
    server({ args: [], paths: { roots: [], readOnly: [], deny: [] } }),
    HOST_ENV,
    context(split),
  );
  const g = groups(plan.wrapperArgs);
  assert.ok(g.includes('--ro-bind /bin /bin'));
  assert.ok(g.includes('--ro-bind /lib /lib'));
  assert.ok(!g.some((x) => x.startsWith('--symlink usr/')));
});

test('a state folder outside every shown path is not masked; the cache is still bound', () => {
  const plan = planLaunch(
    server(),
    HOST_ENV,
    context(fs, undefined, { stateDir: '/home/u/.local/state/mcp-guard' }),
  );
  const g = groups(plan.wrapperArgs);
  const cache = '/home/u/.local/state/mcp-guard/cache/files';
  assert.ok(g.includes(`--bind ${cache} ${cache}`));
  assert.ok(!g.some((x) => x.startsWith('--tmpfs /home/u/.local')));
});

test('an audit log in a root that does not exist yet is created first, then masked', () => {
  const plan = planLaunch(
    server(),
    HOST_ENV,
    context(fs, undefined, { hide: ['/home/u/proj/logs/audit.jsonl'] }),
  );
  assert.deepEqual(plan.createFiles, ['/home/u/proj/logs/audit.jsonl']);
  assert.ok(groups(plan.wrapperArgs).includes('--ro-bind /dev/null /home/u/proj/logs/audit.jsonl'));
  const elsewhere = planLaunch(
    server(),
    HOST_ENV,
    context(fs, undefined, { hide: ['/var/log/a'] }),
  );
  assert.deepEqual(elsewhere.createFiles, [], 'nothing is created where the server cannot see');
});

test('a path behind a linked root is not linked again (the first link already leads there)', () => {
  const linked = fakeFs({ ...host, '/data/shared/sub/x': 'file' });
  const plan = planLaunch(
    server({
      paths: { roots: ['/home/u/link'], readOnly: ['/home/u/link/sub'], deny: [] },
    }),
    HOST_ENV,
    context(linked),
  );
  const g = groups(plan.wrapperArgs);
  assert.deepEqual(
    g.filter((x) => x.startsWith('--symlink /')),
    ['--symlink /data/shared /home/u/link'],
  );
  assert.ok(g.includes('--ro-bind /data/shared/sub /data/shared/sub'));
});

test('started by root, the server runs as nobody inside (uid and gid 65534), not as uid 0', () => {
  const asRoot = planLaunch(main, HOST_ENV, context(fs, undefined, { uid: 0 })).wrapperArgs;
  const at = asRoot.indexOf('--uid');
  assert.deepEqual(asRoot.slice(at, at + 4), ['--uid', '65534', '--gid', '65534']);
  const user = planLaunch(main, HOST_ENV, context(fs)).wrapperArgs;
  assert.equal(user.includes('--uid'), false);
});
