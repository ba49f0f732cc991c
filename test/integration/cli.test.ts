/** The command line itself: --help and --version everywhere, exit codes, doctor. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/guard-process.js';
import { CLI, ROOT } from '../helpers/paths.js';

const cli = (args: string[], cwd = ROOT) =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
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

test('doctor reports node, platform and the manifest found', () => {
  const r = cli(['doctor']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`node\\s+${process.versions.node.replace(/\./g, '\\.')} \\(ok\\)`),
  );
  assert.match(r.stderr, new RegExp(`platform\\s+${process.platform}`));
  assert.match(
    r.stderr,
    /manifest\s+\S+mcp-guard\.yaml \(valid; 3 server\(s\): everything, filesystem, memory\)/,
  );
});

test('doctor with a broken manifest exits 1 and points at file:line:col', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'mcp-guard.yaml');
  writeFileSync(file, 'version: 1\nservers:\n  s:\n    command: node\n    bogus: 1\n');
  const r = cli(['doctor', '-c', file], dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:5`));
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
  const tool = cli(['--help']).stderr;
  for (const command of commands) {
    assert.match(tool, new RegExp(`^  ${command.name} +${escape(command.summary)}$`, 'm'));
    const help = cli([command.name, '--help']);
    assert.equal(help.stderr, command.help);
    assert.equal(help.stdout, '');
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
