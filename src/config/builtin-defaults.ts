/**
 * Built-in defaults: the bottom layer under every profile, so each setting has a value whatever
 * profile chain is used. Deliberately neutral — they supervise but restrict nothing; the
 * recommended guard settings live in the `default` profile (profiles/default.yaml), as data.
 * What data cannot express lives here: the platform's safe environment list.
 */
import type { ServerConfig } from './types.js';

/** Why: the MCP SDK's `getDefaultEnvironment()` lists, so servers start as the SDK would start them. */
export const SAFE_ENV: Readonly<Record<'posix' | 'win32', readonly string[]>> = {
  posix: ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'],
  win32: [
    'APPDATA',
    'HOMEDRIVE',
    'HOMEPATH',
    'LOCALAPPDATA',
    'PATH',
    'PROCESSOR_ARCHITECTURE',
    'SYSTEMDRIVE',
    'SYSTEMROOT',
    'TEMP',
    'USERNAME',
    'USERPROFILE',
    'PROGRAMFILES',
  ],
};

/** The settings a layer can give (everything but the server's identity and launch command). */
export type ServerSettings = Omit<ServerConfig, 'name' | 'command' | 'args' | 'cwd'>;

/** Why: a fresh, complete bottom layer per resolution (callers may not mutate a shared one). */
export function builtinDefaults(platform: NodeJS.Platform): ServerSettings {
  return {
    env: {},
    inheritEnv: [...SAFE_ENV[platform === 'win32' ? 'win32' : 'posix']],
    paths: { roots: [], readOnly: [], deny: [] },
    tools: {
      allow: ['*'],
      deny: [],
      readOnlyOnly: false,
      pin: 'off',
      pathArgs: {},
      rateLimits: {},
    },
    resources: { allow: ['*'], deny: [] },
    prompts: { allow: ['*'], deny: [] },
    sampling: 'allow',
    elicitation: 'allow',
    observe: false,
    sandbox: { mode: 'off', network: 'allow' },
    restart: {
      policy: 'on-failure',
      maxRestarts: 5,
      window: 60_000,
      backoff: { initial: 250, max: 15_000 },
    },
    health: { interval: 30_000, timeout: 5_000, failures: 2 },
    limits: { maxMessageBytes: 8 * 1024 ** 2, callsPerMinute: 600, callTimeout: 600_000 },
    output: { stripControl: false, redact: [], maxResultBytes: 1024 ** 2 },
  };
}
