/**
 * `mcp-guard install` / `uninstall` as a user runs them, in temp homes (HOME, XDG_CONFIG_HOME and
 * Cline's variables pointed at them): every client file round-trips byte for byte, `--dry-run`
 * writes nothing, a malformed file is refused untouched. Then each rewritten entry is launched
 * exactly as its client launches it — Cline's own core client reading the rewritten settings
 * file, the SDK's StdioClientTransport for Claude Desktop's and VS Code's — with only the safe
 * environment (HOME, LOGNAME, PATH, SHELL, TERM, USER) plus the entry's env, from `/`, and lists
 * and calls tools through mcp-guard in front of the reference servers.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse } from 'jsonc-parser';
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CLINE_CONNECT_TIMEOUT_MS,
  type ClineSession,
  sessionFromFile,
} from '../helpers/cline-client.js';
import { resultText, waitAllGone } from '../helpers/guarded.js';
import { ECHO_PACKAGE, packEcho, serveRegistry } from '../helpers/local-registry.js';
import { CLI, SERVER_EVERYTHING, SERVER_FILESYSTEM, SERVER_MEMORY } from '../helpers/paths.js';
import { killAll, testDir, type TempDir } from '../helpers/processes.js';
import { connectSdk } from '../helpers/sdk-client.js';
import { waitFor } from '../helpers/wait.js';
import { LAYOUTS, homeFor } from '../unit/adopt/homes.js';

const STEP_MS = 20_000;
const SECRET = 'hunter2-do-not-copy';

interface Cli {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI in a temp home: only the variables a user's shell would set for these paths. */
function cli(args: string[], cwd: string, env: Record<string, string>): Cli {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking this process (a test's local registry must keep serving). */
async function cliAsync(args: string[], cwd: string, env: Record<string, string>): Promise<Cli> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await waitFor(
    once(child, 'exit'),
    120_000,
    () => `mcp-guard ${args.join(' ')} did not exit; stderr:\n${stderr}`,
  )) as [number | null];
  return { status, stdout, stderr };
}

function homeEnv(home: { home: string; root: string; ctx: { env: NodeJS.ProcessEnv } }) {
  return {
    HOME: home.home,
    XDG_CONFIG_HOME: join(home.home, '.config'),
    ...(home.ctx.env as Record<string, string>),
  };
}

const local = LAYOUTS.filter((layout) => layout.platform === process.platform);

for (const layout of local) {
  void test(`install → uninstall with the CLI: ${layout.label}`, (t) => {
    const home = homeFor(t, layout);
    const env = homeEnv(home);
    const manifest = join(home.project, 'mcp-guard.yaml');
    const clientFiles = home.paths.filter((p) => !p.endsWith('.env'));
    const before = clientFiles.map((p) => readFileSync(p, 'utf8'));

    const dry = cli(
      ['install', '--client', layout.client, '-c', manifest, '--dry-run'],
      home.project,
      env,
    );
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^Index: /m);
    for (const path of clientFiles) assert.ok(dry.stdout.includes(`+++ ${path}`), dry.stdout);
    assert.equal(existsSync(manifest), false);
    clientFiles.forEach((p, i) => assert.equal(readFileSync(p, 'utf8'), before[i]));

    const installed = cli(
      ['install', '--client', layout.client, '-c', manifest],
      home.project,
      env,
    );
    assert.equal(installed.status, 0, installed.stderr);
    assert.equal(installed.stdout, '');
    assert.match(installed.stderr, /created .*mcp-guard\.yaml/);
    for (const path of clientFiles) {
      assert.notEqual(readFileSync(path, 'utf8'), before[clientFiles.indexOf(path)]);
      const backups = readdirSync(dirname(path)).filter((n) => n.includes('.mcp-guard-backup-'));
      assert.equal(backups.length, 1, `one backup beside ${path}`);
    }
    const written = readFileSync(manifest, 'utf8');
    for (const secret of ['ghp_Zq8x', 'hunter2hunter2', 'BSAz9kQ2', 'sk-live']) {
      assert.ok(!written.includes(secret), written);
    }

    const uninstalled = cli(['uninstall', '--client', layout.client], home.project, env);
    assert.equal(uninstalled.status, 0, uninstalled.stderr);
    clientFiles.forEach((p, i) => assert.equal(readFileSync(p, 'utf8'), before[i], p));
  });
}

void test('install refuses a malformed client file, naming file, line and entry, and changes nothing', (t) => {
  const home = homeFor(t, LAYOUTS[0]!);
  const [path] = home.paths as [string];
  const text =
    '{\n  "mcpServers": {\n    "fine": {"command": "x"},\n    "broken": {"args": []}\n  }\n}\n';
  writeFileSync(path, text);
  const result = cli(['install', '--client', 'cline'], home.project, homeEnv(home));
  assert.equal(result.status, 2, result.stderr);
  assert.ok(
    result.stderr.includes(`${path}:4:15: mcpServers.broken: server 'broken'`),
    result.stderr,
  );
  assert.equal(readFileSync(path, 'utf8'), text);
  assert.deepEqual(readdirSync(dirname(path)), ['cline_mcp_settings.json']);
  assert.equal(existsSync(join(home.home, '.config', 'mcp-guard', 'mcp-guard.yaml')), false);
  const unknown = cli(['install', '--client', 'emacs'], home.project, homeEnv(home));
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown client 'emacs'/);
});

/** The three reference servers as a user's client file lists them, with env for each. */
function referenceServers(dir: TempDir) {
  mkdirSync(dir.join('files'));
  writeFileSync(dir.join('files', 'hello.txt'), 'hello from the workspace\n');
  return {
    everything: {
      command: 'node',
      args: [SERVER_EVERYTHING],
      env: { SERVICE_PASSWORD: SECRET, GREETING: 'hello-from-the-entry' },
    },
    filesystem: { command: 'node', args: [SERVER_FILESYSTEM, dir.join('files')] },
    memory: {
      command: 'node',
      args: [SERVER_MEMORY],
      env: { MEMORY_FILE_PATH: dir.join('files', 'memory.jsonl') },
    },
  };
}

/** Cline's environment for its servers: the safe list only (plus the entry's env), cwd `/`. */
async function asCline<T>(body: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  const cwd = process.cwd();
  for (const key of Object.keys(process.env)) {
    if (!DEFAULT_INHERITED_ENV_VARS.includes(key)) delete process.env[key];
  }
  process.chdir('/');
  try {
    return await body();
  } finally {
    process.chdir(cwd);
    Object.assign(process.env, saved);
  }
}

async function exercise(
  t: TestContext,
  name: string,
  call: (tool: string, args: Record<string, unknown>) => Promise<unknown>,
  tools: string[],
) {
  const step = <R>(label: string, promise: Promise<R>) =>
    waitFor(promise, STEP_MS, `${name}: ${label}`);
  switch (name) {
    case 'everything': {
      assert.ok(tools.includes('echo'), tools.join());
      assert.equal(
        resultText(await step('echo', call('echo', { message: 'via install' }))),
        'Echo: via install',
      );
      const env = resultText(await step('get-env', call('get-env', {})));
      assert.match(env, /hello-from-the-entry/, 'the entry env reached the server');
      assert.match(env, /SERVICE_PASSWORD/);
      break;
    }
    case 'filesystem': {
      assert.ok(tools.includes('list_allowed_directories'), tools.join());
      const listed = resultText(
        await step('list_allowed_directories', call('list_allowed_directories', {})),
      );
      assert.match(listed, /files/);
      break;
    }
    case 'memory':
      assert.ok(tools.includes('read_graph'), tools.join());
      assert.match(resultText(await step('read_graph', call('read_graph', {}))), /entities/);
      break;
    default:
      t.diagnostic(`no checks for ${name}`);
  }
}

void test(
  "install --client cline, then Cline's own client launches each rewritten entry and calls tools through mcp-guard",
  { timeout: 180_000 },
  async (t) => {
    const dir = await testDir(t);
    const settings = dir.join('cline', 'data', 'settings', 'cline_mcp_settings.json');
    mkdirSync(dirname(settings), { recursive: true });
    const servers = referenceServers(dir);
    writeFileSync(settings, `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`);
    const manifest = dir.join('project', 'mcp-guard.yaml');
    mkdirSync(dirname(manifest));
    const env = { HOME: dir.path, XDG_CONFIG_HOME: dir.join('xdg'), CLINE_DIR: dir.join('cline') };
    const installed = cli(['install', '--client', 'cline', '-c', manifest], dir.path, env);
    assert.equal(installed.status, 0, installed.stderr);
    assert.ok(!readFileSync(manifest, 'utf8').includes(SECRET));
    const rewritten = parse(readFileSync(settings, 'utf8')) as {
      mcpServers: Record<string, { command: string; args: string[] }>;
    };
    for (const name of Object.keys(servers)) {
      assert.equal(rewritten.mcpServers[name]!.command, process.execPath);
      assert.deepEqual(rewritten.mcpServers[name]!.args.slice(0, 5), [
        CLI,
        'run',
        name,
        '-c',
        manifest,
      ]);
    }

    for (const name of Object.keys(servers)) {
      const session: ClineSession = await sessionFromFile(settings, name);
      t.after(() => killAll(session.spawned.map((child) => child.pid)));
      await asCline(() =>
        waitFor(session.connect(), STEP_MS, () => `${name}: connect; stderr:\n${session.stderr()}`),
      );
      assert.deepEqual(
        session.spawned.map((c) => c.mode),
        ['newline'],
        session.stderr(),
      );
      const tools = (await session.listTools()).map((tool) => tool.name);
      await exercise(t, name, (tool, args) => session.callTool(tool, args), tools);
      await session.close();
      await waitAllGone(
        session.spawned.map((c) => c.pid),
        5000,
        session.stderr,
      );
    }

    const uninstalled = cli(['uninstall', '--client', 'cline'], dir.path, env);
    assert.equal(uninstalled.status, 0, uninstalled.stderr);
    assert.equal(
      readFileSync(settings, 'utf8'),
      `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`,
    );
  },
);

for (const client of ['claude', 'vscode'] as const) {
  void test(
    `install --client ${client}, then the SDK's StdioClientTransport launches each rewritten entry as the client does`,
    { timeout: 180_000 },
    async (t) => {
      const dir = await testDir(t);
      const servers = referenceServers(dir);
      const project = dir.join('project');
      const file =
        client === 'claude'
          ? dir.join('xdg', 'Claude', 'claude_desktop_config.json')
          : join(project, '.vscode', 'mcp.json');
      mkdirSync(dirname(file), { recursive: true });
      mkdirSync(project, { recursive: true });
      const original =
        client === 'claude'
          ? `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`
          : `{\n\t// the workspace's servers\n\t"servers": ${JSON.stringify(servers, null, '\t').replaceAll('\n', '\n\t')},\n\t"inputs": []\n}\n`;
      writeFileSync(file, original);
      const env = { HOME: dir.path, XDG_CONFIG_HOME: dir.join('xdg') };
      const installed = cli(
        ['install', '--client', client, '-c', join(project, 'mcp-guard.yaml')],
        project,
        env,
      );
      assert.equal(installed.status, 0, installed.stderr);
      const list = parse(readFileSync(file, 'utf8')) as Record<
        string,
        Record<string, { command: string; args: string[]; env?: Record<string, string> }>
      >;
      const entries = list[client === 'claude' ? 'mcpServers' : 'servers']!;
      for (const [name, entry] of Object.entries(entries)) {
        const connection = await connectSdk({
          command: entry.command,
          args: entry.args,
          ...(entry.env === undefined ? {} : { env: entry.env }),
          cwd: '/',
          timeoutMs: STEP_MS,
        });
        t.after(() => killAll([connection.pid]));
        const tools = (await connection.client.listTools()).tools.map((tool) => tool.name);
        await exercise(
          t,
          name,
          (tool, args) => connection.client.callTool({ name: tool, arguments: args }),
          tools,
        );
        await connection.close();
      }
      const uninstalled = cli(['uninstall', '--client', client], project, env);
      assert.equal(uninstalled.status, 0, uninstalled.stderr);
      assert.equal(readFileSync(file, 'utf8'), original);
    },
  );
}

void test(
  "install prepares an npx server: Cline's first start of the rewritten entry downloads nothing and answers initialize within Cline's 3 s",
  { timeout: 180_000 },
  async (t) => {
    const dir = await testDir(t);
    const registry = await serveRegistry(packEcho(dir));
    t.after(() => registry.server.close());
    const settings = dir.join('cline', 'data', 'settings', 'cline_mcp_settings.json');
    mkdirSync(dirname(settings), { recursive: true });
    const entry = {
      command: 'npx',
      args: ['-y', ECHO_PACKAGE],
      env: { npm_config_registry: registry.url },
    };
    writeFileSync(settings, `${JSON.stringify({ mcpServers: { echo: entry } }, null, 2)}\n`);
    const manifest = dir.join('project', 'mcp-guard.yaml');
    mkdirSync(dirname(manifest));
    const env = { HOME: dir.path, XDG_CONFIG_HOME: dir.join('xdg'), CLINE_DIR: dir.join('cline') };

    const installed = await cliAsync(
      ['install', '--client', 'cline', '-c', manifest],
      dir.path,
      env,
    );
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(installed.stderr, /'echo' is ready/);
    assert.equal(registry.tarballs(), 1, registry.hits.join(' '));
    const afterInstall = registry.hits.length;

    const session = await sessionFromFile(settings, 'echo');
    t.after(() => killAll(session.spawned.map((child) => child.pid)));
    await asCline(() =>
      waitFor(session.connect(), STEP_MS, () => `echo: connect; stderr:\n${session.stderr()}`),
    );
    // One process, spoken to with newlines: Cline's first attempt was answered inside its own
    // initialize budget (a slower start would have been stopped and retried with framing).
    assert.equal(CLINE_CONNECT_TIMEOUT_MS, 3000);
    assert.deepEqual(
      session.spawned.map((c) => c.mode),
      ['newline'],
      session.stderr(),
    );
    const echoed = await waitFor(
      session.callTool('echo', { text: 'first start' }),
      STEP_MS,
      'echo',
    );
    assert.equal(resultText(echoed), 'first start');
    // Not even a question to the registry: npm takes the prepared version from the cache.
    assert.deepEqual(
      registry.hits.slice(afterInstall),
      [],
      `the first start asked the registry: ${registry.hits.join(' ')}`,
    );
    await session.close();

    // prepare asks again (a newer release would be fetched), from the cache it leaves warm.
    const prepared = await cliAsync(['prepare', 'echo', '-c', manifest], dir.path, env);
    assert.equal(prepared.status, 0, prepared.stderr);
    assert.ok(
      registry.hits.slice(afterInstall).includes(`/${ECHO_PACKAGE}`),
      `prepare did not revalidate: ${registry.hits.join(' ')}`,
    );
  },
);
