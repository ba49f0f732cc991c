/**
 * The command line itself: --help and --version everywhere, exit codes, doctor, and which stream
 * each writes to (SPEC §2: what a command was asked for on stdout, diagnostics on stderr; `run`'s
 * stdout carries MCP messages only, so its help goes to stderr).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/guard-process.js';
import { CLI, ROOT } from '../helpers/paths.js';

const cli = (args: string[], cwd = ROOT, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });

const version = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

test('--version prints the package version on stdout and exits 0', () => {
  for (const flag of ['--version', '-v']) {
    const r = cli([flag]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `${version}\n`);
    assert.equal(r.stderr, '');
  }
});

test('--help works for the tool and for every command, exits 0, says no "error"', () => {
  for (const args of [
    ['--help'],
    ...['run', 'up', 'status', 'check', 'logs', 'pin', 'prepare', 'doctor'].map((c) => [
      c,
      '--help',
    ]),
  ]) {
    const r = cli(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr + r.stdout, /Usage/i, args.join(' '));
    assert.doesNotMatch(r.stderr, /\berror\b/i, args.join(' '));
  }
});

test('usage problems exit 2', () => {
  const cases = [
    [],
    ['frobnicate'],
    ['run'],
    ['run', '--'],
    ['run', '--bogus'],
    ['run', 'a', 'b'],
    ['up', '--bogus'],
    ['status', '--bogus'],
    ['pin', '--bogus'],
    ['prepare', '--bogus'],
  ];
  for (const args of cases) assert.equal(cli(args).status, 2, args.join(' '));
});

test('a server name the manifest does not have is a usage problem, inherited names included', (t) => {
  const dir = tempDir(t);
  const manifest = join(dir, 'mcp-guard.yaml');
  writeFileSync(manifest, JSON.stringify({ version: 1, servers: { real: { command: 'true' } } }));
  for (const command of ['run', 'up', 'pin', 'prepare']) {
    for (const name of ['nope', 'constructor', '__proto__', 'toString']) {
      const r = cli([command, name, '-c', manifest], dir);
      assert.equal(r.status, 2, `${command} ${name}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`no server '${name}'`), `${command} ${name}`);
      assert.equal(r.stdout, '', `${command} ${name}`);
    }
  }
});

test('doctor reports node, platform and the manifest found, on stdout', () => {
  const r = cli(['doctor']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(
    r.stdout,
    new RegExp(`node\\s+${process.versions.node.replace(/\./g, '\\.')} \\(ok\\)`),
  );
  assert.match(r.stdout, new RegExp(`platform\\s+${process.platform}`));
  assert.match(
    r.stdout,
    /manifest\s+\S+mcp-guard\.yaml \(valid; 3 server\(s\): everything, filesystem, memory\)/,
  );
});

test('doctor with a broken manifest exits 1 and points at file:line:col', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'mcp-guard.yaml');
  writeFileSync(file, 'version: 1\nservers:\n  s:\n    command: node\n    bogus: 1\n');
  const r = cli(['doctor', '-c', file], dir);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:5`));
});

test('run with a broken manifest exits 2 naming file:line:col, writing nothing to stdout', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'mcp-guard.yaml');
  writeFileSync(
    file,
    'version: 1\nservers:\n  s:\n    command: node\n    restart: { window: soon }\n',
  );
  const r = cli(['run', 's', '-c', file], dir);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /mcp-guard\.yaml:5:\d+/);
  assert.match(r.stderr, /window/);
});

test('every declared command is listed by --help under its name; its help comes from the skeleton', async () => {
  const { COMMANDS, loadCommands } = (await import(
    pathToFileURL(join(ROOT, 'dist', 'cli', 'commands.js')).href
  )) as typeof import('../../src/cli/commands.js');
  const commands = await loadCommands();
  assert.deepEqual(
    commands.map((c) => c.name),
    Object.keys(COMMANDS),
  );
  const tool = cli(['--help']).stdout;
  for (const command of commands) {
    assert.match(tool, new RegExp(`^  ${command.name} +${escape(command.summary)}$`, 'm'));
    const help = cli([command.name, '--help']);
    // run's stdout is its client's: its help goes to stderr; every other command's to stdout.
    const [asked, other] =
      command.name === 'run' ? (['stderr', 'stdout'] as const) : (['stdout', 'stderr'] as const);
    assert.equal(help[asked], command.help, command.name);
    assert.equal(help[other], '', command.name);
    assert.match(command.help, new RegExp(`^Usage:(\\n)? +mcp-guard ${command.name}\\b`));
    assert.match(command.help, /^ {2}-h, --help +show this help$/m);
    assert.ok(
      command.help.split('\n').every((line) => line.length <= 100),
      `${command.name}: ${command.help}`,
    );
  }
});

test('a bad flag is reported the same way by every command: message, usage, exit 2', () => {
  for (const command of ['run', 'up', 'status', 'check', 'logs', 'pin', 'prepare', 'doctor']) {
    const r = cli([command, '--bogus']);
    assert.equal(r.status, 2, command);
    assert.equal(r.stdout, '', command);
    const lines = r.stderr.split('\n');
    assert.match(lines[0]!, new RegExp(`^mcp-guard ${command}: Unknown option '--bogus'`));
    assert.match(r.stderr, new RegExp(`\\n\\nUsage:(\\n)? +mcp-guard ${command}\\b`));
    assert.ok(r.stderr.endsWith(`Run 'mcp-guard ${command} --help' for its options.\n`), r.stderr);
  }
});

test('what a command is asked for is on stdout with stderr empty; run --help the reverse', (t) => {
  const dir = tempDir(t);
  const manifest = join(dir, 'mcp-guard.yaml');
  writeFileSync(manifest, JSON.stringify({ version: 1, servers: { real: { command: 'node' } } }));
  // A state folder of its own: no guarded server runs there.
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  const asked: [string[], RegExp][] = [
    [['--help'], /^mcp-guard \S+ — /],
    [['-h'], /^mcp-guard \S+ — /],
    [['help'], /^mcp-guard \S+ — /],
    ...[
      'up',
      'check',
      'init',
      'status',
      'logs',
      'prepare',
      'pin',
      'doctor',
      'import',
      'install',
      'uninstall',
    ].map((name): [string[], RegExp] => [
      [name, '--help'],
      new RegExp(`^Usage:(\n)? +mcp-guard ${name}\\b`),
    ]),
    [['status', '-c', manifest], /^mcp-guard: no guarded server is running \(/],
    [['status', '-c', manifest, '--json'], /^\[\]\n$/],
    [['status'], /^mcp-guard: no guarded server is running \(/],
    [['check', '-c', manifest], /^version: 1\n/m],
  ];
  for (const [args, pattern] of asked) {
    const r = cli(args, dir, env);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, pattern, args.join(' '));
    assert.equal(r.stderr, '', args.join(' '));
  }
  const run = cli(['run', '--help'], dir, env);
  assert.equal(run.status, 0);
  assert.equal(run.stdout, '', 'run writes nothing but MCP messages to stdout');
  assert.match(run.stderr, /^Usage:(\n)? +mcp-guard run\b/);
  // Without a command, the tool's help is a usage error: stderr, exit 2.
  const bare = cli([], dir, env);
  assert.equal(bare.status, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /^mcp-guard \S+ — /);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
