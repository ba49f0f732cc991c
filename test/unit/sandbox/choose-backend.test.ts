import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeDeps, SandboxBackend } from '../../../src/sandbox/backend.js';
import { BACKENDS, backendFor, probeSandbox } from '../../../src/sandbox/detect.js';
import type { SandboxSupport } from '../../../src/sandbox/types.js';
import { fakeFs } from './fake-fs.js';

/** A Linux backend whose trial answers `usable`, counting its trials. */
function fake(name: string, usable: boolean, trials: string[]): SandboxBackend {
  const support: SandboxSupport = {
    backend: name as SandboxBackend['name'],
    binary: usable ? `/usr/bin/${name}` : null,
    version: null,
    usable,
    cause: usable ? null : `${name} cannot run here`,
    fix: usable ? null : `make ${name} work`,
    detail: null,
  };
  return {
    name: support.backend as SandboxBackend['name'],
    title: name,
    platform: 'linux',
    probe: () => {
      trials.push(name);
      return Promise.resolve(support);
    },
    prepare: () => assert.fail('not a launch'),
  };
}

const deps = (platform: NodeJS.Platform): ProbeDeps => ({
  platform,
  env: {},
  fs: fakeFs({}),
  run: () => assert.fail('fake backends run nothing'),
});

test('auto: the strongest backend that works, and no trial of the weaker ones', async () => {
  const trials: string[] = [];
  const chosen = await probeSandbox(deps('linux'), 'auto', [
    fake('strong', true, trials),
    fake('weak', true, trials),
  ]);
  assert.equal(chosen.backend, 'strong');
  assert.equal(chosen.passedOver, undefined);
  assert.deepEqual(trials, ['strong']);
});

test('auto: a weaker backend when the stronger fails, which it names as passed over', async () => {
  const trials: string[] = [];
  const chosen = await probeSandbox(deps('linux'), 'auto', [
    fake('strong', false, trials),
    fake('weak', true, trials),
  ]);
  assert.equal(chosen.backend, 'weak');
  assert.equal(chosen.usable, true);
  assert.deepEqual(
    chosen.passedOver?.map((s) => [s.backend, s.cause]),
    [['strong', 'strong cannot run here']],
  );
  assert.deepEqual(trials, ['strong', 'weak']);
});

test('auto: when none works, the strongest one says why and how to fix it', async () => {
  const trials: string[] = [];
  const chosen = await probeSandbox(deps('linux'), 'auto', [
    fake('strong', false, trials),
    fake('weak', false, trials),
  ]);
  assert.equal(chosen.backend, 'strong');
  assert.equal(chosen.usable, false);
  assert.equal(chosen.fix, 'make strong work');
});

test('a backend chosen by name is the only one tried; another OS has none', async () => {
  const trials: string[] = [];
  const backends = [fake('strong', true, trials), fake('weak', true, trials)];
  const chosen = await probeSandbox(deps('linux'), 'weak' as SandboxBackend['name'], backends);
  assert.equal(chosen.backend, 'weak');
  assert.deepEqual(trials, ['weak']);
  const elsewhere = await probeSandbox(deps('win32'), 'bwrap', backends);
  assert.equal(elsewhere.backend, 'none');
  assert.equal(elsewhere.cause, 'the bwrap sandbox does not run on Windows');
  assert.deepEqual(trials, ['weak']);
});

test('every backend confines on one OS and is found for it by name only there', () => {
  for (const backend of BACKENDS) {
    assert.equal(backendFor(backend.name, backend.platform), backend);
    assert.equal(backendFor(backend.name, 'win32'), undefined);
  }
  assert.equal(backendFor('none', 'linux'), undefined);
});
