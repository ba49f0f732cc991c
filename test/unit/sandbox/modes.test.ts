import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SandboxMode } from '../../../src/config/types.js';
import type { SandboxSupport } from '../../../src/sandbox/types.js';
import { planLaunch } from '../../../src/supervisor/launch-plan.js';
import { fakeFs } from './fake-fs.js';
import { BWRAP_OK, HOST_ENV, SEATBELT_OK, context, server } from './plan-fixtures.js';

const fs = fakeFs({ '/usr/bin/node': 'exec', '/home/u/proj/src/index.js': 'file' });
const BROKEN: SandboxSupport = {
  backend: 'bwrap',
  binary: '/usr/bin/bwrap',
  version: '0.6.1',
  usable: false,
  cause: 'user namespaces are disabled',
  fix: "run 'sudo sysctl -w user.max_user_namespaces=15000'",
  detail: 'bwrap: No permissions to create new namespace',
};
const WINDOWS: SandboxSupport = {
  backend: 'none',
  binary: null,
  version: null,
  usable: false,
  cause: 'Windows has no OS sandbox that mcp-guard can use',
  fix: 'run it under WSL 2',
  detail: null,
};

const plan = (mode: SandboxMode, support: SandboxSupport, platform?: NodeJS.Platform) =>
  planLaunch(
    server({ sandbox: { mode, network: 'deny' } }),
    HOST_ENV,
    context(fs, support, platform === undefined ? {} : { platform }),
  );

test('the mode table: what each mode does with a working and a broken sandbox', () => {
  const cases: [SandboxMode, SandboxSupport, string, string | null, boolean][] = [
    ['off', BWRAP_OK, 'none', null, false],
    ['off', BROKEN, 'none', null, false],
    ['auto', BWRAP_OK, 'bwrap', null, false],
    ['required', BWRAP_OK, 'bwrap', null, false],
    ['auto', BROKEN, 'none', 'user namespaces are disabled', false],
    ['required', BROKEN, 'none', 'user namespaces are disabled', true],
  ];
  for (const [mode, support, backend, reason, refused] of cases) {
    const p = plan(mode, support);
    const label = `${mode} with ${support.usable ? 'working' : 'broken'} sandbox`;
    assert.equal(p.sandbox.backend, backend, label);
    assert.equal(p.sandbox.requested, mode, label);
    assert.equal(p.sandbox.network, 'deny', label);
    if (reason === null) assert.equal(p.sandbox.reason, null, label);
    else assert.match(p.sandbox.reason ?? '', new RegExp(reason), label);
    assert.equal(p.refusal !== null, refused, label);
    if (backend === 'none') {
      assert.equal(p.command, 'node', label);
      assert.deepEqual(p.wrapperArgs, [], label);
      assert.deepEqual(p.env, { PATH: '/usr/bin', HOME: '/home/u', TOKEN: 'tok-123' }, label);
    }
  }
});

test('required with a broken sandbox: the refusal says why, how to fix it, and the way out', () => {
  const p = plan('required', BROKEN);
  assert.equal(
    p.refusal,
    "sandbox.mode is 'required' for 'files', but the OS sandbox cannot run here: " +
      "user namespaces are disabled (fix: run 'sudo sysctl -w user.max_user_namespaces=15000'); " +
      'or set sandbox.mode: auto to run it unconfined',
  );
});

test('a command that does not exist is refused before anything is spawned', () => {
  const p = planLaunch(server({ command: 'no-such-tool' }), HOST_ENV, context(fs));
  assert.equal(p.refusal, "could not start 'no-such-tool': not found on PATH");
  const q = planLaunch(server({ command: '/opt/none' }), HOST_ENV, context(fs));
  assert.equal(q.refusal, "could not start '/opt/none': not found");
});

test('Windows: no OS sandbox; auto runs unconfined, required refuses', () => {
  assert.equal(plan('auto', WINDOWS, 'win32').sandbox.backend, 'none');
  assert.match(plan('auto', WINDOWS, 'win32').sandbox.reason ?? '', /Windows has no OS sandbox/);
  assert.match(plan('required', WINDOWS, 'win32').refusal ?? '', /Windows has no OS sandbox/);
});

test('a backend that does not belong to the platform is never used', () => {
  assert.equal(plan('auto', SEATBELT_OK, 'linux').sandbox.backend, 'none');
  assert.notEqual(plan('required', BWRAP_OK, 'darwin').refusal, null);
});
