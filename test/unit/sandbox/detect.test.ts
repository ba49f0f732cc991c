import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrialResult } from '../../../src/sandbox/backend.js';
import { probeSandbox } from '../../../src/sandbox/detect.js';
import {
  diagnoseBwrap,
  diagnoseSeatbelt,
  linuxFacts,
  type LinuxFacts,
} from '../../../src/sandbox/diagnose.js';
import { fakeFs, type FakeEntry } from './fake-fs.js';

const HOST_LINUX: Record<string, FakeEntry> = {
  '/usr/bin/bwrap': 'exec',
  '/usr/bin/true': 'exec',
  '/bin': { link: 'usr/bin' },
  '/proc/self/uid_map': { text: '         0          0 4294967295\n' },
  '/proc/sys/user/max_user_namespaces': { text: '15000\n' },
};

function runner(results: Record<string, TrialResult>) {
  const calls: string[][] = [];
  const run = (command: string, args: readonly string[]) => {
    calls.push([command, ...args]);
    const key = args[0] === '--version' ? 'version' : 'trial';
    return Promise.resolve(results[key] ?? { code: 0, stdout: '', stderr: '' });
  };
  return { run, calls };
}

test('Linux: a working trial of the exact isolation flags makes bwrap usable, with its version', async () => {
  const { run, calls } = runner({ version: { code: 0, stdout: 'bubblewrap 0.8.0\n', stderr: '' } });
  const support = await probeSandbox({
    platform: 'linux',
    env: { PATH: '/usr/bin' },
    fs: fakeFs(HOST_LINUX),
    run,
  });
  assert.deepEqual(support, {
    backend: 'bwrap',
    binary: '/usr/bin/bwrap',
    version: '0.8.0',
    usable: true,
    cause: null,
    fix: null,
    detail: null,
  });
  const trial = calls.find((call) => call[1] !== '--version')!;
  assert.deepEqual(trial.slice(0, 10), [
    '/usr/bin/bwrap',
    '--unshare-all',
    '--unshare-user',
    '--cap-drop',
    'ALL',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--ro-bind',
  ]);
  assert.deepEqual(trial.slice(-2), ['--', '/usr/bin/true']);
  assert.ok(!trial.includes('--share-net'));
});

test('Linux: no bwrap anywhere is diagnosed without running anything', async () => {
  const { run, calls } = runner({});
  const support = await probeSandbox(
    {
      platform: 'linux',
      env: { PATH: '/usr/local/bin' },
      fs: fakeFs({ '/usr/bin/true': 'exec' }),
      run,
    },
    'bwrap',
  );
  assert.equal(support.usable, false);
  assert.equal(support.cause, 'bubblewrap (bwrap) is not installed');
  assert.match(support.fix ?? '', /apt-get install bubblewrap/);
  assert.deepEqual(calls, []);
});

test('Linux: a failing trial is diagnosed from the machine, keeping what bwrap printed', async () => {
  const { run } = runner({
    trial: { code: 1, stdout: '', stderr: 'bwrap: setting up uid map: Permission denied\n' },
    version: { code: 0, stdout: 'bubblewrap 0.9.0\n', stderr: '' },
  });
  const fs = fakeFs({
    ...HOST_LINUX,
    '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': { text: '1\n' },
  });
  const support = await probeSandbox({ platform: 'linux', env: { PATH: '/usr/bin' }, fs, run });
  assert.equal(support.usable, false);
  assert.equal(support.version, '0.9.0');
  assert.match(support.cause ?? '', /AppArmor restricts unprivileged user namespaces/);
  assert.equal(support.detail, 'bwrap: setting up uid map: Permission denied');
});

test('macOS: sandbox-exec by absolute path; Windows: none, said plainly', async () => {
  const { run, calls } = runner({});
  const mac = await probeSandbox({
    platform: 'darwin',
    env: {},
    fs: fakeFs({ '/usr/bin/sandbox-exec': 'exec' }),
    run,
  });
  assert.equal(mac.usable, true);
  assert.equal(mac.binary, '/usr/bin/sandbox-exec');
  assert.equal(calls[0]![0], '/usr/bin/sandbox-exec');
  const win = await probeSandbox({ platform: 'win32', env: {}, fs: fakeFs({}), run });
  assert.equal(win.backend, 'none');
  assert.equal(win.usable, false);
  assert.equal(win.cause, 'Windows has no OS sandbox that mcp-guard can use');
});

const NEUTRAL: LinuxFacts = {
  apparmorRestrict: null,
  unprivilegedUsernsClone: null,
  maxUserNamespaces: '15000',
  inUserNamespace: false,
  container: null,
};

test('diagnosis table: each cause with its fix', () => {
  const cases: [string, Partial<LinuxFacts>, RegExp, RegExp][] = [
    [
      'bwrap: Unknown option --disable-userns',
      {},
      /too old: it does not know --disable-userns/,
      /upgrade bubblewrap/,
    ],
    [
      'bwrap: setting up uid map: Permission denied',
      { apparmorRestrict: '1' },
      /AppArmor/,
      /apparmor_restrict_unprivileged_userns=0/,
    ],
    [
      'bwrap: No permissions to create new namespace',
      { unprivilegedUsernsClone: '0' },
      /unprivileged_userns_clone = 0/,
      /unprivileged_userns_clone=1/,
    ],
    [
      'bwrap: No permissions to create new namespace',
      { maxUserNamespaces: '0' },
      /max_user_namespaces = 0/,
      /max_user_namespaces=15000/,
    ],
    [
      'bwrap: Creating new namespace failed: Operation not permitted',
      { container: 'flatpak' },
      /inside another sandbox \(Flatpak\)/,
      /flatpak-spawn --host/,
    ],
    [
      'bwrap: Creating new namespace failed: Operation not permitted',
      { container: 'docker' },
      /docker container/,
      /seccomp=unconfined/,
    ],
    [
      'bwrap: Creating new namespace failed: Operation not permitted',
      { inUserNamespace: true },
      /already inside another sandbox or container/,
      /sandbox.mode: off/,
    ],
    [
      'bwrap: something else\nmore',
      {},
      /trial run failed; bwrap said: bwrap: something else$/,
      /mcp-guard doctor/,
    ],
  ];
  for (const [stderr, facts, cause, fix] of cases) {
    const d = diagnoseBwrap(stderr, '0.6.1', { ...NEUTRAL, ...facts });
    assert.match(d.cause, cause, stderr);
    assert.match(d.fix, fix, stderr);
  }
  assert.match(
    diagnoseSeatbelt('sandbox_apply: Operation not permitted').cause,
    /already inside another sandbox/,
  );
});

test('facts: sysctls, the identity uid map, container markers', () => {
  const facts = linuxFacts(
    fakeFs({
      '/proc/self/uid_map': { text: '0 1000 1\n' },
      '/proc/sys/kernel/unprivileged_userns_clone': { text: '0\n' },
      '/.dockerenv': 'file',
    }),
  );
  assert.deepEqual(facts, {
    apparmorRestrict: null,
    unprivilegedUsernsClone: '0',
    maxUserNamespaces: null,
    inUserNamespace: true,
    container: 'docker',
  });
  assert.equal(linuxFacts(fakeFs(HOST_LINUX)).inUserNamespace, false);
});
