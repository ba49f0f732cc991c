/** Shared inputs of the launch-plan tests: a server, a host and what the trial found. */
import type { ServerConfig } from '../../../src/config/types.js';
import type { SandboxSupport } from '../../../src/sandbox/types.js';
import type { LaunchContext } from '../../../src/supervisor/launch-plan.js';
import type { FsView } from '../../../src/sandbox/fs-view.js';

export const BWRAP_OK: SandboxSupport = {
  backend: 'bwrap',
  binary: '/usr/bin/bwrap',
  version: '0.8.0',
  usable: true,
  cause: null,
  fix: null,
  detail: null,
};

export const SEATBELT_OK: SandboxSupport = {
  backend: 'sandbox-exec',
  binary: '/usr/bin/sandbox-exec',
  version: 'Darwin 23.0.0',
  usable: true,
  cause: null,
  fix: null,
  detail: null,
};

export function server(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    name: 'files',
    command: 'node',
    args: ['src/index.js'],
    cwd: '/home/u/proj',
    env: { TOKEN: 'tok-123' },
    inheritEnv: ['PATH', 'HOME'],
    paths: { roots: ['/home/u/proj'], readOnly: [], deny: [] },
    sandbox: { mode: 'auto', network: 'allow' },
    ...overrides,
  } as ServerConfig;
}

export const HOST_ENV = {
  PATH: '/usr/bin',
  HOME: '/home/u',
  SECRET_TOKEN: 'host-secret',
  XDG_RUNTIME_DIR: '/run/user/1000',
  SSH_AUTH_SOCK: '/tmp/ssh-abc/agent.1',
};

export function context(
  fs: FsView,
  support: SandboxSupport = BWRAP_OK,
  more: Partial<LaunchContext> = {},
): LaunchContext {
  return {
    support,
    stateDir: '/home/u/proj/.mcp-guard',
    protect: ['/home/u/proj/mcp-guard.yaml', '/home/u/proj/mcp-guard.lock'],
    hide: ['/home/u/proj/.mcp-guard/audit.jsonl'],
    platform: support.backend === 'sandbox-exec' ? 'darwin' : 'linux',
    fs,
    uid: 1000,
    ...more,
  };
}

const ARITY: Record<string, number> = {
  '--setenv': 2,
  '--ro-bind': 2,
  '--bind': 2,
  '--symlink': 2,
  '--cap-drop': 1,
  '--tmpfs': 1,
  '--proc': 1,
  '--dev': 1,
  '--dir': 1,
  '--remount-ro': 1,
  '--chdir': 1,
  '--seccomp': 1,
};

/** bwrap options grouped as `flag operand…` strings, in order. */
export function groups(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length;) {
    const flag = args[i]!;
    const n = ARITY[flag] ?? 0;
    out.push([flag, ...args.slice(i + 1, i + 1 + n)].join(' '));
    i += 1 + n;
  }
  return out;
}
