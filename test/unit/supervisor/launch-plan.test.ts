import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerConfig } from '../../../src/config/types.js';
import { planLaunch, type LaunchContext } from '../../../src/supervisor/launch-plan.js';

function server(overrides: Partial<ServerConfig>): ServerConfig {
  return {
    name: 's',
    command: 'node',
    args: ['a.js'],
    cwd: '/w',
    env: {},
    inheritEnv: [],
    sandbox: { mode: 'off', network: 'allow' },
    ...overrides,
  } as ServerConfig;
}

const unconfined = (platform: NodeJS.Platform): LaunchContext => ({
  support: {
    backend: 'none',
    binary: null,
    version: null,
    usable: false,
    cause: 'none here',
    fix: null,
    detail: null,
  },
  stateDir: '/w/.mcp-guard',
  protect: [],
  hide: [],
  platform,
});

test('the environment is exactly inheritEnv plus env', () => {
  const host = { PATH: '/usr/bin', HOME: '/home/u', SECRET_TOKEN: 'x', LANG: 'C' };
  const plan = planLaunch(
    server({ inheritEnv: ['PATH', 'HOME', 'MISSING'], env: { LOG: 'info', HOME: '/override' } }),
    host,
    unconfined('linux'),
  );
  assert.deepEqual(plan.env, { PATH: '/usr/bin', HOME: '/override', LOG: 'info' });
  assert.equal('SECRET_TOKEN' in plan.env, false);
});

test('on Windows inherited names match case-insensitively', () => {
  const plan = planLaunch(
    server({ inheritEnv: ['PATH', 'SystemRoot'] }),
    { Path: 'C:\\bin', SYSTEMROOT: 'C:\\Windows' },
    unconfined('win32'),
  );
  assert.deepEqual(plan.env, { PATH: 'C:\\bin', SystemRoot: 'C:\\Windows' });
});

test('command, args and cwd are passed through unchanged, args copied', () => {
  const s = server({ command: 'npx', args: ['-y', 'pkg'], cwd: '/proj' });
  const plan = planLaunch(s, {}, unconfined('linux'));
  assert.deepEqual([plan.command, plan.args, plan.cwd], ['npx', ['-y', 'pkg'], '/proj']);
  plan.args.push('x');
  assert.deepEqual(s.args, ['-y', 'pkg']);
});
