/**
 * The README's commands exist as written: every `mcp-guard …` line of its shell blocks and every
 * row of its command table is a command of the built CLI whose `--help` names each flag the line
 * uses, every `npm run X` is a script of package.json, and the quick start puts the clone's
 * `mcp-guard` on the PATH (`npm link`) before it first tells the reader to type `mcp-guard`.
 * (That they also work end to end is for the other tests; a fresh clone is tried by hand.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from '../helpers/paths.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
);

/** The lines of the README's ```sh blocks, in order, without their trailing comments. */
function shellLines(): string[] {
  const lines: string[] = [];
  for (const block of README.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '') lines.push(command);
    }
  }
  return lines;
}

/** The `mcp-guard …` commands of the command table, as written in its first column. */
function tableCommands(): string[] {
  const table = README.slice(README.indexOf('## Commands in this release'));
  return [...table.matchAll(/^\| `(mcp-guard [^`]+)`/gm)].map((match) => match[1] ?? '');
}

const helpCache = new Map<string, string>();
function helpOf(command: string): string {
  let help = helpCache.get(command);
  if (help === undefined) {
    const result = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, `mcp-guard ${command} --help: ${result.stderr}`);
    help = `${result.stdout}${result.stderr}`;
    helpCache.set(command, help);
  }
  return help;
}

/** The command and the long flags a README line uses (`--from`, `--dry-run`…). */
function checkLine(line: string) {
  const words = line.split(/\s+/);
  const command = words[1] ?? '';
  assert.match(command, /^[a-z]+$/, `not a command: ${line}`);
  const help = helpOf(command);
  for (const flag of words.filter((word) => /^--[a-z-]+/.test(word))) {
    const name = /^--[a-z-]+/.exec(flag)?.[0] ?? flag;
    if (name === '--help' || name === '--') continue;
    assert.ok(help.includes(name), `\`${line}\`: mcp-guard ${command} --help has no ${name}`);
  }
}

void test('every mcp-guard line of the README is a command of the CLI, with the flags it uses', () => {
  const lines = shellLines().filter((line) => line.startsWith('mcp-guard '));
  assert.ok(lines.length >= 8, lines.join('\n'));
  for (const line of lines) {
    // `mcp-guard --version` is the program's own flag, not a command.
    if (line === 'mcp-guard --version') continue;
    checkLine(line);
  }
});

void test("every command of the README's table exists, with the flags it lists", () => {
  const rows = tableCommands();
  assert.ok(rows.length >= 13, rows.join('\n'));
  for (const row of rows) checkLine(row.replace(/\\\|/g, '|'));
});

void test('every npm command of the README is npm’s own or a script of package.json', () => {
  const npm = shellLines()
    .flatMap((line) => line.split('&&').map((part) => part.trim()))
    .filter((part) => part.startsWith('npm '));
  assert.ok(npm.length >= 4, npm.join('\n'));
  for (const part of npm) {
    const [, verb, name] = part.split(/\s+/);
    if (verb === 'run') assert.ok(scripts.includes(name ?? ''), `${part}: no such script`);
    else if (verb === 'start' || verb === 'test') assert.ok(scripts.includes(verb), part);
    else assert.ok(['install', 'ci', 'link'].includes(verb ?? ''), `${part}: not expected here`);
  }
});

void test('the quick start installs from source (npm link) before the first mcp-guard command', () => {
  const lines = shellLines();
  const link = lines.findIndex((line) => line.includes('npm link'));
  const first = lines.findIndex((line) => line.startsWith('mcp-guard '));
  assert.ok(link >= 0, 'the README never puts the clone’s mcp-guard on the PATH');
  assert.ok(link < first, `\`${lines[first]}\` comes before \`npm link\``);
  const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: object }).bin;
  assert.deepEqual(bin, { 'mcp-guard': 'dist/bin/mcp-guard.js' });
  assert.ok(README.includes('dist/bin/mcp-guard.js'), 'the README names the built script');
});
