// The first start of npx servers after `mcp-guard install --client cline`, timed as Cline lives it.
//
// In a temp home and project: a Cline settings file with the npx-launched reference servers
// (server-everything, server-filesystem on the project, server-memory), then the built CLI's
// `install --client cline -c <project>/mcp-guard.yaml` (which prepares each server unless
// --no-prepare), then each rewritten entry's first start and second start by Cline's own client
// (@cline/core, from test/cline): its safe-list environment (HOME, LOGNAME, PATH, SHELL, TERM,
// USER and the entry's env), `/` as working directory, one server at a time. Time is from
// Cline's connect to the answer of `initialize`. The entries carry `timeout: 120`, so a start
// slower than Cline's default 3 s is timed rather than stopped; the table says whether it was
// within 3 s. The load average is printed with the figures: on a shared machine they are not
// an idle machine's.
//
// npx downloads from the npm registry (npm_config_registry, else registry.npmjs.org). When it
// cannot be reached (or with --offline), the servers are replaced by the echo test fixture packed
// into a local registry on 127.0.0.1 (npx, the sandbox and mcp-guard as above; a tiny download
// instead of a real package's); that needs the compiled tests (`npx tsc -p tsconfig.json`).
//
//   npm run build && node scripts/first-start.mjs [--no-prepare] [--offline] [--keep]
//   node scripts/first-start.mjs --compare   # both: with and without install's prepare step
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestClient } from './test-client.mjs';

const root = new URL('..', import.meta.url).pathname;
const CLI = join(root, 'dist/bin/mcp-guard.js');
const SAFE = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];
const CLINE_BUDGET_MS = 3000;
const flags = new Set(process.argv.slice(2));
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

if (!ensureTestClient()) process.exit(1);
const cline = await import(join(root, 'test/cline/index.mjs'));

/** Whether npx can reach the registry (a ping, 5 s at most). */
async function registryReachable(registry) {
  try {
    const res = await fetch(new URL('-/ping', registry), { signal: AbortSignal.timeout(5000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The servers to time: the real ones from the registry, or the echo fixture from a local one. */
async function serversFor(work, offline) {
  const project = join(work, 'project');
  if (!offline) {
    const npx = (pkg, ...args) => ({ command: 'npx', args: ['-y', pkg, ...args] });
    return {
      servers: {
        everything: npx('@modelcontextprotocol/server-everything'),
        filesystem: npx('@modelcontextprotocol/server-filesystem', project),
        memory: npx('@modelcontextprotocol/server-memory'),
      },
    };
  }
  const helpers = join(root, '.build/test/helpers/local-registry.js');
  const { ECHO_PACKAGE, packEcho, serveRegistry } = await import(helpers).catch(() => {
    console.error('first-start: --offline needs the compiled tests: npx tsc -p tsconfig.json');
    process.exit(1);
  });
  const dir = { path: work, join: (...parts) => join(work, ...parts) };
  const registry = await serveRegistry(packEcho(dir));
  const entry = {
    command: 'npx',
    args: ['-y', ECHO_PACKAGE],
    env: { npm_config_registry: registry.url },
  };
  return { servers: { echo: entry }, close: () => registry.server.close() };
}

/** Runs the built CLI with a user's few variables; resolves its exit code, output and time. */
function runCli(args, env) {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, output, ms: performance.now() - started })),
  );
}

/** Runs `body` with only Cline's safe list in process.env (its client spawns with it) from `/`. */
async function asCline(home, body) {
  const saved = { ...process.env };
  const cwd = process.cwd();
  for (const key of Object.keys(process.env)) if (!SAFE.includes(key)) delete process.env[key];
  process.env.HOME = home;
  process.chdir('/');
  try {
    return await body();
  } finally {
    process.chdir(cwd);
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** Cline's connect of `name`, timed; the error's first line when it fails. */
async function timedConnect(manager, name) {
  const started = performance.now();
  try {
    await manager.connectServer(name);
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, error: String(error.message).split('\n')[0] };
  }
}

/** One run: install (with or without prepare), then each server's first and second start. */
async function measure(prepare, offline) {
  const work = mkdtempSync(join(tmpdir(), 'mcp-guard-first-start-'));
  const home = join(work, 'home');
  const settings = join(home, '.cline/data/settings/cline_mcp_settings.json');
  mkdirSync(join(work, 'project'), { recursive: true });
  mkdirSync(join(settings, '..'), { recursive: true });
  const { servers, close } = await serversFor(work, offline);
  const entries = Object.fromEntries(
    Object.entries(servers).map(([name, entry]) => [name, { ...entry, timeout: 120 }]),
  );
  writeFileSync(settings, `${JSON.stringify({ mcpServers: entries }, null, 2)}\n`);
  const userEnv = { PATH: process.env.PATH, HOME: home };
  const manifest = join(work, 'project/mcp-guard.yaml');
  const args = [
    'install',
    '--client',
    'cline',
    '-c',
    manifest,
    ...(prepare ? [] : ['--no-prepare']),
  ];
  const loadBefore = load();
  const installed = await runCli(args, userEnv);
  if (installed.code !== 0) {
    console.error(installed.output);
    throw new Error(`install exited with ${installed.code}`);
  }
  const rows = [];
  const manager = new cline.InMemoryMcpManager({
    clientFactory: cline.createDefaultMcpServerClientFactory(),
  });
  await cline.registerMcpServersFromSettingsFile(manager, { filePath: settings });
  await asCline(home, async () => {
    for (const name of Object.keys(servers)) {
      const first = await timedConnect(manager, name);
      await manager.disconnectServer(name).catch(() => undefined);
      const second = await timedConnect(manager, name);
      await manager.disconnectServer(name).catch(() => undefined);
      rows.push({ name, first, second });
    }
  });
  await manager.dispose().catch(() => undefined);
  close?.();
  if (flags.has('--keep')) console.error(`first-start: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  return { prepare, install: installed.ms, rows, load: `${loadBefore} → ${load()}` };
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const cell = (start) =>
  start.error
    ? `failed after ${seconds(start.ms)}: ${start.error}`
    : `${seconds(start.ms)}${start.ms <= CLINE_BUDGET_MS ? '' : ' (over 3 s)'}`;

function print(result) {
  const lines = [
    `install --client cline${result.prepare ? '' : ' --no-prepare'}: ${seconds(result.install)}; load average ${result.load}`,
    '| server | first start | second start |',
    '| --- | --- | --- |',
    ...result.rows.map((row) => `| ${row.name} | ${cell(row.first)} | ${cell(row.second)} |`),
  ];
  console.log(lines.join('\n'));
}

const offline =
  flags.has('--offline') ||
  !(await registryReachable(process.env.npm_config_registry ?? 'https://registry.npmjs.org/'));
console.log(
  `${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, load average ${load()}`,
);
console.log(
  offline
    ? 'the npm registry is not reachable: the echo fixture from a local registry instead'
    : 'npx from the npm registry (nothing of these packages cached before install)',
);
const runs = flags.has('--compare') ? [false, true] : [!flags.has('--no-prepare')];
for (const prepare of runs) print(await measure(prepare, offline));
