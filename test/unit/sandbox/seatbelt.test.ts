import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planLaunch } from '../../../src/supervisor/launch-plan.js';
import { fakeFs } from './fake-fs.js';
import { SEATBELT_OK, context, server } from './plan-fixtures.js';

// macOS: /tmp, /var and /etc are links into /private.
const fs = fakeFs({
  '/usr/bin/node': 'exec',
  '/usr/bin/sandbox-exec': 'exec',
  '/tmp': { link: 'private/tmp' },
  '/var': { link: 'private/var' },
  '/etc': { link: 'private/etc' },
  '/private/etc/hosts': 'file',
  '/private/tmp/proj/package.json': 'file',
  '/private/tmp/proj/server.js': 'file',
  '/private/tmp/proj/.env': 'file',
  '/private/tmp/proj/mcp-guard.yaml': 'file',
  '/private/tmp/proj/.mcp-guard/audit.jsonl': 'file',
  '/private/tmp/proj/run.sock': 'socket',
  '/Users/u/docs/a.md': 'file',
  '/Users/u/.ssh/id_ed25519': 'file',
  '/opt/homebrew/bin/node': { link: '../Cellar/node/22.1.0/bin/node' },
  '/opt/homebrew/Cellar/node/22.1.0/bin/node': 'exec',
});
const HOST = { PATH: '/usr/bin', HOME: '/Users/u', SECRET: 'no' };

const minimal = () =>
  planLaunch(
    server({
      cwd: '/tmp/proj',
      args: [],
      env: {},
      paths: { roots: ['/tmp/proj'], readOnly: [], deny: [] },
      sandbox: { mode: 'required', network: 'deny' },
    }),
    HOST,
    context(fs, SEATBELT_OK, { stateDir: '/tmp/proj/.mcp-guard', protect: [], hide: [] }),
  );

test('the whole profile for one root under network deny: deny default, no network rule', () => {
  const plan = minimal();
  assert.equal(plan.command, '/usr/bin/sandbox-exec');
  assert.equal(plan.args[0], '-p');
  assert.equal(
    plan.args[1],
    `(version 1)
(deny default)
(allow process-fork)
(allow process-exec)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))
(allow sysctl-read)
(allow file-read-metadata)
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.system.notification_center")
  (global-name "com.apple.system.logger")
  (global-name "com.apple.logd")
  (global-name "com.apple.trustd.agent"))
(allow ipc-posix-shm-read-data (ipc-posix-name "apple.shm.notification_center"))
(allow file-read*
  (literal "/")
  (subpath "/usr")
  (subpath "/bin")
  (subpath "/sbin")
  (subpath "/System")
  (subpath "/Library")
  (subpath "/private/etc")
  (subpath "/private/var/db/timezone")
  (subpath "/dev"))
(allow file-read* file-write-data (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty"))
(deny file-read*
  (subpath (param "HOME_0")))
(allow file-read* file-write*
  (subpath (param "ROOT_0")))
(deny file-read* file-write*
  (literal (param "HIDDEN_FILE_0"))
  (subpath (param "STATE_0")))
(allow file-read* file-write*
  (subpath (param "CACHE_0")))
`,
  );
  const cache = '/private/tmp/proj/.mcp-guard/cache/files';
  assert.deepEqual(plan.args.slice(2), [
    '-D',
    'HOME_0=/Users/u',
    '-D',
    'ROOT_0=/private/tmp/proj',
    '-D',
    'HIDDEN_FILE_0=/private/tmp/proj/run.sock',
    '-D',
    'STATE_0=/private/tmp/proj/.mcp-guard',
    '-D',
    `CACHE_0=${cache}`,
    '/usr/bin/node',
  ]);
  assert.equal(plan.env.TMPDIR, `${cache}/tmp`);
  assert.equal(plan.env.npm_config_offline, 'true');
  assert.equal(plan.env.SECRET, undefined);
  assert.deepEqual(plan.createDirs, [cache, `${cache}/tmp`]);
  assert.deepEqual(plan.wrapperArgs, []);
});

test('every path reaches the profile as a -D parameter, canonicalised, never in its text', () => {
  const plan = planLaunch(
    server({
      command: '/opt/homebrew/bin/node',
      cwd: '/tmp/proj',
      args: ['server.js'],
      paths: { roots: ['/tmp/proj'], readOnly: ['/Users/u/docs'], deny: ['**/.env'] },
      sandbox: { mode: 'auto', network: 'allow' },
    }),
    HOST,
    context(fs, SEATBELT_OK, {
      stateDir: '/tmp/proj/.mcp-guard',
      protect: ['/tmp/proj/mcp-guard.yaml'],
      hide: ['/tmp/proj/.mcp-guard/audit.jsonl'],
    }),
  );
  const profile = plan.args[1]!;
  const params = new Map<string, string>();
  for (let i = 2; plan.args[i] === '-D'; i += 2) {
    const [name, ...value] = plan.args[i + 1]!.split('=');
    params.set(name!, value.join('='));
  }
  assert.deepEqual(Object.fromEntries(params), {
    HOME_0: '/Users/u',
    PROGRAM_0: '/opt/homebrew',
    PROGRAM_1: '/opt/homebrew/Cellar/node/22.1.0',
    ROOT_0: '/private/tmp/proj',
    READONLY_0: '/Users/u/docs',
    READONLY_W_0: '/Users/u/docs',
    HIDDEN_FILE_0: '/private/tmp/proj/.env',
    HIDDEN_FILE_1: '/private/tmp/proj/run.sock',
    STATE_0: '/private/tmp/proj/.mcp-guard',
    PROTECT_0: '/private/tmp/proj/mcp-guard.yaml',
    CACHE_0: '/private/tmp/proj/.mcp-guard/cache/files',
  });
  for (const [name, value] of params) {
    assert.ok(profile.includes(`(param "${name}")`), name);
    assert.ok(!profile.includes(value), `${value} spliced into the profile`);
  }
  assert.deepEqual(plan.args.slice(-2), ['/opt/homebrew/bin/node', 'server.js']);
  // Later rules win: each denial comes after the grant it cuts into.
  const at = (name: string) => profile.indexOf(`(param "${name}")`);
  assert.ok(at('HOME_0') < at('PROGRAM_0') && at('HOME_0') < at('READONLY_0'));
  assert.ok(at('ROOT_0') < at('READONLY_W_0'));
  assert.ok(at('ROOT_0') < at('HIDDEN_FILE_0') && at('ROOT_0') < at('PROTECT_0'));
  assert.ok(at('STATE_0') < at('CACHE_0'));
  assert.match(profile, /\(allow network-outbound \(remote ip\)\)/);
  assert.doesNotMatch(profile, /unix-socket/);
});

test('network deny writes no network rule at all', () => {
  assert.doesNotMatch(minimal().args[1]!, /network|system-socket|dnssd/);
});
