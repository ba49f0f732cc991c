/**
 * mcp-guard launched the way Cline launches a server: the environment is exactly HOME, LOGNAME,
 * PATH, SHELL, TERM and USER (with HOME a temp home, so state and caches stay in the test) plus
 * the settings entry's `env`, and the working directory is `/`. Nothing else of the test's own
 * environment (XDG_*, MCP_GUARD_CONFIG, NODE_OPTIONS…) reaches mcp-guard.
 */
import { spawn, spawnSync } from 'node:child_process';
import { CLI } from './paths.js';
import { killTreeAfter } from './processes.js';
import { attachRaw, type RawChild } from './raw-client.js';
import type { AfterContext } from './temp-dir.js';

/** The variables Cline passes from its own environment (the MCP SDK's safe list). */
export const CLINE_SAFE_ENV = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'] as const;

/** The environment Cline gives a server whose entry has `entryEnv`, with HOME at `home`. */
export function clineEnv(home: string, entryEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of CLINE_SAFE_ENV) {
    const value = name === 'HOME' ? home : process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...entryEnv };
}

export interface ClineShapedOptions {
  t: AfterContext;
  /** HOME for mcp-guard (a temp dir of the test). */
  home: string;
  /** The settings entry's `env`. */
  env?: Record<string, string>;
}

/** `node dist/cli/main.js ARGS`, started as Cline would start the entry; killed after `t`. */
export function startClineShaped(args: string[], options: ClineShapedOptions): RawChild {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: '/',
    env: clineEnv(options.home, options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  killTreeAfter(options.t, child);
  return attachRaw(child, `mcp-guard ${args.join(' ')}`);
}

/** The same launch, for a command that ends by itself (stdin closed at once). */
export function runClineShaped(
  args: string[],
  options: Omit<ClineShapedOptions, 't'>,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: '/',
    env: clineEnv(options.home, options.env),
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
