/** The command skeleton: help from declarations, one flag-error style, exit codes, dispatch. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineCommand, type Command } from '../../../src/cli/command.js';
import { ConfigLookup, CONFIG_OPTION } from '../../../src/cli/config-lookup.js';
import { flagColumn, renderHelp, renderUsage, wrap } from '../../../src/cli/help.js';
import { GuardError } from '../../../src/errors.js';

/**
 * Runs a command with the text it writes to stdout (help, output) and stderr (errors) captured.
 * Bytes pass through: the test runner's own reports to its parent are buffers on stdout.
 */
async function invoke(
  command: Command,
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = { stdout: '', stderr: '' };
  const originals = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].write = (chunk: string | Uint8Array, ...rest: never[]) => {
      if (typeof chunk !== 'string') return originals[name](chunk, ...rest);
      captured[name] += chunk;
      return true;
    };
  }
  try {
    return { code: await command.invoke(argv), ...captured };
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  }
}

test('wrap: greedy, words kept whole, a long word alone on its line', () => {
  const table: [string, number, string[]][] = [
    ['', 10, []],
    ['one two three', 7, ['one two', 'three']],
    ['one two three', 13, ['one two three']],
    ['a verylongword b', 5, ['a', 'verylongword', 'b']],
  ];
  for (const [text, width, lines] of table) assert.deepEqual(wrap(text, width), lines, text);
});

test('flag column: short and long, a value name for strings only', () => {
  assert.equal(flagColumn('config', CONFIG_OPTION), '-c, --config FILE');
  assert.equal(flagColumn('json', { type: 'boolean', help: '' }), '--json');
  assert.equal(flagColumn('x', { type: 'string', help: '' }), '--x VALUE');
});

test('usage: one form on the Usage line, several indented below it', () => {
  assert.equal(renderUsage(['a [-x]']), 'Usage: mcp-guard a [-x]');
  assert.equal(renderUsage(['a X', 'a -- Y']), 'Usage:\n  mcp-guard a X\n  mcp-guard a -- Y');
});

test('help: usage, the description re-wrapped, options aligned with continuation lines', () => {
  const help = renderHelp(
    ['demo [-c FILE]'],
    `First paragraph,
       written across lines.

     Second.`,
    {
      config: { ...CONFIG_OPTION, help: `${'word '.repeat(30)}end` },
      json: { type: 'boolean', help: 'as JSON' },
    },
  );
  const lines = help.split('\n');
  assert.equal(lines[0], 'Usage: mcp-guard demo [-c FILE]');
  assert.equal(lines[2], 'First paragraph, written across lines.');
  assert.equal(lines[4], 'Second.');
  assert.equal(lines[6], 'Options:');
  assert.match(lines[7]!, /^ {2}-c, --config FILE {2}word/);
  assert.match(lines[8]!, /^ {21}word/);
  assert.ok(
    lines.every((line) => line.length <= 100),
    help,
  );
  assert.equal(lines.at(-2), '  --json             as JSON');
  assert.equal(help.at(-1), '\n');
});

const demo = defineCommand({
  name: 'demo',
  summary: 'a demo',
  usage: ['demo [--n N] [X…]'],
  description: 'Demonstrates.',
  options: { n: { type: 'string', value: 'N', help: 'a number' } },
  operands: true,
  output: 'stdout',
  run: (call) => {
    if (call.values.n === 'usage') throw call.usageError('--n cannot be usage');
    if (call.values.n === 'config') throw new GuardError('ERR_CONFIG_INVALID', 'bad manifest');
    if (call.values.n === 'runtime') throw new GuardError('ERR_SPAWN', 'no spawn');
    if (call.values.n === 'bug') throw new TypeError('oops');
    return call.operands.length;
  },
});

test('--help prints the declared help on the output stream and exits 0; the body does not run', async () => {
  const r = await invoke(demo, ['--n', 'bug', '-h']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, demo.help);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^ {2}-h, --help {2}show this help$/m);
  // A command whose stdout is not its own (run's carries MCP messages) prints it on stderr.
  const relay = defineCommand({
    name: 'relay',
    summary: 'a relay',
    usage: ['relay'],
    description: 'Relays.',
    options: {},
    output: 'stderr',
    run: () => 0,
  });
  assert.deepEqual(await invoke(relay, ['--help']), { code: 0, stdout: '', stderr: relay.help });
});

test('every usage problem has one style, exit 2; other failures keep their codes', async () => {
  const usage = (message: string) =>
    `mcp-guard demo: ${message}\n\nUsage: mcp-guard demo [--n N] [X…]\n` +
    `Run 'mcp-guard demo --help' for its options.\n`;
  const bad = await invoke(demo, ['--bogus']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  const [first = '', ...rest] = bad.stderr.split('\n');
  assert.match(first, /^mcp-guard demo: Unknown option '--bogus'/);
  assert.equal(rest.join('\n'), usage('').split('\n').slice(1).join('\n'));
  assert.deepEqual(await invoke(demo, ['--n']), {
    code: 2,
    stdout: '',
    stderr: usage("Option '--n <value>' argument missing"),
  });
  assert.deepEqual(await invoke(demo, ['--n', 'usage']), {
    code: 2,
    stdout: '',
    stderr: usage('--n cannot be usage'),
  });
  assert.deepEqual(await invoke(demo, ['--n', 'config']), {
    code: 2,
    stdout: '',
    stderr: 'mcp-guard: bad manifest\n',
  });
  assert.deepEqual(await invoke(demo, ['--n', 'runtime']), {
    code: 1,
    stdout: '',
    stderr: 'mcp-guard: no spawn\n',
  });
  const bug = await invoke(demo, ['--n', 'bug']);
  assert.equal(bug.code, 1);
  assert.match(bug.stderr, /^mcp-guard: unexpected failure: TypeError: oops/);
  assert.deepEqual(await invoke(demo, ['a', 'b']), { code: 2, stdout: '', stderr: '' });
});

test('config lookup: SPEC order; without a manifest anywhere only an unnamed search is "none"', (t) => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-lookup-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const project = join(root, 'project', 'sub');
  mkdirSync(project, { recursive: true });
  const home = join(root, 'home');
  const ctx = (env: NodeJS.ProcessEnv = {}) => ({ cwd: project, env, homeDir: home });
  const none = new ConfigLookup(ctx(), undefined, undefined);
  assert.equal(none.findIfAny(), null);
  assert.throws(() => none.find(), { code: 'ERR_CONFIG_NOT_FOUND' });
  const missing = join(root, 'missing.yaml');
  assert.throws(() => new ConfigLookup(ctx(), missing, undefined).findIfAny(), {
    code: 'ERR_CONFIG_NOT_FOUND',
  });
  assert.throws(
    () => new ConfigLookup(ctx({ MCP_GUARD_CONFIG: missing }), undefined, undefined).findIfAny(),
    { code: 'ERR_CONFIG_NOT_FOUND' },
  );
  const manifest = join(root, 'project', 'mcp-guard.yaml');
  writeFileSync(manifest, 'version: 1\nservers:\n  a: { command: node }\n  b: { command: node }\n');
  const found = new ConfigLookup(ctx(), undefined, undefined);
  assert.equal(found.findIfAny(), manifest);
  assert.deepEqual(
    found.servers(['b']).named?.map((s) => s.name),
    ['b'],
  );
  assert.equal(found.servers([]).named, null);
  for (const name of ['nope', 'constructor', '__proto__']) {
    assert.throws(() => found.servers([name]), {
      code: 'ERR_SERVER_UNKNOWN',
      message: `no server '${name}' in ${manifest} (servers: a, b)`,
    });
  }
});
