/**
 * `mcp-guard doctor` on the sandbox: the backend and its version, the kernel settings, the trial
 * run's result, and — when it fails — the cause and the fix, with exit 1; plus what each server
 * of the manifest would get. The report is what doctor is asked for: stdout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir, writeManifest } from '../../helpers/guard-process.js';
import { CLI } from '../../helpers/paths.js';

const doctor = (cwd: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, 'doctor'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });

test('doctor: bubblewrap, its version, the kernel settings, a working trial, each server', (t) => {
  const dir = tempDir(t);
  writeManifest(dir, {
    command: 'node',
    args: ['x.js'],
    sandbox: { mode: 'required', network: 'deny' },
  });
  const r = doctor(dir);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^sandbox\s+bubblewrap \d+\.\d+\S* \(\/\S+\/bwrap\)$/m);
  assert.match(r.stdout, /trial run of the exact flags: works/);
  assert.match(r.stdout, /^kernel\s+user\.max_user_namespaces = \S+$/m);
  assert.match(r.stdout, /kernel\.apparmor_restrict_unprivileged_userns = /);
  assert.match(r.stdout, /^\s+server: bwrap, network deny$/m);
  assert.doesNotMatch(r.stdout, /\berror\b/i);
  assert.equal(r.stderr, '');
});

test('doctor: a sandbox that does not work is shown with its cause and fix, exit 1', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    join(dir, 'bin', 'bwrap'),
    "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'bubblewrap 0.4.0'; exit 0; }\necho 'bwrap: Unknown option --disable-userns' >&2; exit 1\n",
  );
  chmodSync(join(dir, 'bin', 'bwrap'), 0o755);
  writeManifest(dir, {
    command: 'node',
    args: ['x.js'],
    sandbox: { mode: 'required', backend: 'bwrap' },
  });
  const r = doctor(dir, { PATH: `${join(dir, 'bin')}:${process.env.PATH}` });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /sandbox\s+bubblewrap 0\.4\.0/);
  assert.match(r.stdout, /trial run of the exact flags: does not work/);
  assert.match(r.stdout, /cause: bubblewrap 0\.4\.0 is too old: it does not know --disable-userns/);
  assert.match(r.stdout, /fix:\s+upgrade bubblewrap/);
  assert.match(r.stdout, /server: refuses to start \(sandbox\.mode: required/);
});

test('doctor: where bubblewrap fails, Landlock: auto takes it, what it confines, how to get bwrap', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    join(dir, 'bin', 'bwrap'),
    "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'bubblewrap 0.9.0'; exit 0; }\necho 'bwrap: setting up uid map: Permission denied' >&2; exit 1\n",
  );
  chmodSync(join(dir, 'bin', 'bwrap'), 0o755);
  writeManifest(dir, { command: 'node', args: ['x.js'], sandbox: { mode: 'required' } });
  const r = doctor(dir, { PATH: `${join(dir, 'bin')}:${process.env.PATH}` });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^landlock\s+ABI \d+ \(works\)$/m);
  assert.match(r.stdout, /^backend\s+auto uses Landlock: bubblewrap cannot run here \(.*uid map/m);
  assert.match(r.stdout, /confines:\s+filesystem: /);
  assert.match(r.stdout, /does not confine: no process isolation/);
  assert.match(r.stdout, /for bubblewrap's stronger isolation: /);
  assert.match(r.stdout, /^\s+server: landlock, network allow$/m);
});

test('doctor: with bubblewrap working, auto takes it and Landlock is shown as the fallback', (t) => {
  const dir = tempDir(t);
  writeManifest(dir, {
    command: 'node',
    args: ['x.js'],
    sandbox: { mode: 'required', backend: 'landlock' },
  });
  const r = doctor(dir);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^landlock\s+ABI \d+ \(works\)$/m);
  assert.match(r.stdout, /^backend\s+auto uses bubblewrap/m);
  assert.match(r.stdout, /^\s+server: landlock, network allow$/m);
});
