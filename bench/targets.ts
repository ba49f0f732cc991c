/**
 * The ways of reaching server-everything that the benchmark compares. A target is only a command
 * line: every target is driven by the same SDK client, so the differences are the relay's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpKind } from './http-session.js';

/**
 * `direct` is the baseline, `floor` the bare pipe, `reference` a reference relay that does one
 * part of mcp-guard's work and nothing else (no goals), `guard` a mcp-guard variant (goals apply),
 * `earlier` an earlier build of mcp-guard measured in the same run (BENCH_BASELINE; no goals),
 * `http` a server reached over Streamable HTTP (`up-http`, and its baseline `sdk-http`; no goals),
 * `era` the 2026-era pair (v2 client and server; mcp-guard's row compared with its own direct).
 */
export type TargetKind = 'direct' | 'floor' | 'reference' | 'guard' | 'earlier' | 'http' | 'era';

export interface Target {
  name: string;
  kind: TargetKind;
  command: string;
  args: string[];
  /** Why the target cannot run on this checkout (e.g. not built), or null. */
  unavailable: string | null;
  /** Reached over Streamable HTTP rather than stdio (bench/http-session.ts). */
  http?: HttpKind;
  /** The protocol era its client speaks: the v1 SDK's session era, or 2026-07-28 (the v2 SDK). */
  era?: 'stateless';
}

/** The targets run when BENCH_TARGETS is not set, in table order. */
export const DEFAULT_TARGETS = [
  'direct',
  'bare-pipe',
  'audited-pipe',
  'mcp-guard',
  'policy',
  'sandboxed',
  'landlock',
  'sdk-http',
  'up-http',
  'direct-2026',
  'mcp-guard-2026',
];
/** The HTTP row mcp-guard's `up --http` is compared with: the SDK's own Streamable HTTP server. */
export const HTTP_BASE = 'sdk-http';
/** The 2026-era rows: the v2 SDK's client and server, direct and through mcp-guard. */
export const STATELESS_DIRECT = 'direct-2026';
/** The mcp-guard row without the OS sandbox, which the sandboxed row is compared with. */
export const UNCONFINED = 'mcp-guard';

/** The rows an earlier checkout adds (BENCH_BASELINE): its plain and policy rows. */
export const EARLIER_TARGETS = ['mcp-guard@base', 'policy@base'];

/** The CLI a checkout's package.json names as `bin` (what users run), as an absolute path. */
export function checkoutCli(checkout: string): string {
  const pkg = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  return join(checkout, pkg.bin['mcp-guard']!);
}

/**
 * Why: one list, so another mcp-guard variant is one more entry, not another code path. With
 * `baseline` (another checkout, built), its rows run its own CLI and manifest, so a change is
 * compared with what came before under the same load.
 */
export function listTargets(
  root: string,
  guardCli: string | null,
  baseline: string | null = null,
): Target[] {
  const server = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
  const cli = guardCli ?? checkoutCli(root);
  const manifest = join(root, 'bench/mcp-guard.yaml');
  const guard = (name: string, server: string): Target => ({
    name,
    kind: 'guard',
    command: process.execPath,
    args: [cli, 'run', server, '-c', manifest],
    unavailable: existsSync(cli) ? null : `not available: ${cli} missing (npm run build)`,
  });
  const earlier = (name: string, server: string): Target[] => {
    if (baseline === null) return [];
    const baseCli = checkoutCli(baseline);
    return [
      {
        name,
        kind: 'earlier',
        command: process.execPath,
        args: [baseCli, 'run', server, '-c', join(baseline, 'bench/mcp-guard.yaml')],
        unavailable: existsSync(baseCli) ? null : `not available: ${baseCli} missing (build it)`,
      },
    ];
  };
  return [
    {
      name: 'direct',
      kind: 'direct',
      command: process.execPath,
      args: [server],
      unavailable: existsSync(server) ? null : `not available: ${server} missing (npm install)`,
    },
    {
      name: 'bare-pipe',
      kind: 'floor',
      command: process.execPath,
      args: [join(root, 'bench/bare-pipe.mjs'), process.execPath, server],
      unavailable: null,
    },
    // The bare pipe plus SPEC 7's audit log: every message parsed and recorded, hash-chained,
    // written before its chunk is passed on; the floor of any relay that keeps that log.
    {
      name: 'audited-pipe',
      kind: 'reference',
      command: process.execPath,
      args: [join(root, 'bench/audited-pipe.mjs'), process.execPath, server],
      unavailable: null,
    },
    guard(UNCONFINED, 'everything'),
    // The same with a policy that works on every call: paths, schema, redaction (goals.ts).
    guard('policy', 'everything-policy'),
    // The same server confined by the OS sandbox (bubblewrap on Linux, sandbox-exec on macOS).
    guard('sandboxed', 'everything-sandboxed'),
    // The same server confined by Landlock, the Linux backend that needs no namespaces.
    {
      ...guard('landlock', 'everything-landlock'),
      ...(process.platform === 'linux'
        ? {}
        : { unavailable: 'not available: Landlock is Linux only' }),
    },
    // server-everything's own Streamable HTTP server (the SDK's transport, express), no mcp-guard.
    {
      name: HTTP_BASE,
      kind: 'http',
      command: process.execPath,
      args: [server, 'streamableHttp'],
      unavailable: existsSync(server) ? null : `not available: ${server} missing (npm install)`,
      http: 'sdk',
    },
    // The stdio server behind `mcp-guard up --http`: a child per client session.
    {
      ...guard('up-http', 'everything'),
      kind: 'http',
      args: [cli, 'up', '-c', manifest, 'everything', '--http', '127.0.0.1:0'],
      http: 'up',
    },
    // MCP 2026-07-28: the v2 SDK's client (pinned) and server (bench/echo-2026.mjs).
    {
      name: STATELESS_DIRECT,
      kind: 'era',
      era: 'stateless',
      command: process.execPath,
      args: [join(root, 'bench/echo-2026.mjs')],
      unavailable: null,
    },
    { ...guard('mcp-guard-2026', 'echo-2026'), kind: 'era', era: 'stateless' },
    ...earlier('mcp-guard@base', 'everything'),
    ...earlier('policy@base', 'everything-policy'),
  ];
}

/** Picks the requested targets by name, refusing unknown names so a typo is not a silent skip. */
export function selectTargets(all: Target[], names: string[]): Target[] {
  const earlier = all.filter((target) => target.kind === 'earlier').map((target) => target.name);
  const wanted = names.length > 0 ? names : [...DEFAULT_TARGETS, ...earlier];
  return wanted.map((name) => {
    const found = all.find((target) => target.name === name);
    if (found === undefined) {
      const known = all.map((target) => target.name).join(', ');
      throw new Error(`BENCH_TARGETS: unknown target '${name}' (known: ${known})`);
    }
    return found;
  });
}
