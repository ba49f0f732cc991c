/**
 * One server's problem does not break the others (SPEC 2), launched as Cline launches each
 * server: a `${env:…}` that only one entry's env provides, and a typo in another entry, fail
 * only those servers; `check` still reports every problem.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callTool, initialize, tempDir } from '../helpers/guard-process.js';
import { runClineShaped, startClineShaped } from '../helpers/cline-shaped.js';
import { FIXTURES } from '../helpers/paths.js';

function manifest(dir: string): string {
  const file = join(dir, 'mcp-guard.yaml');
  const echo = JSON.stringify([join(FIXTURES, 'echo.mjs')]);
  const node = JSON.stringify(process.execPath);
  writeFileSync(
    file,
    [
      'version: 1',
      'audit: { file: audit.jsonl }',
      'defaults: { sandbox: { mode: "off" } }',
      'servers:',
      '  github:',
      `    command: ${node}`,
      `    args: ${echo}`,
      '    env: { GITHUB_TOKEN: "${env:GITHUB_TOKEN}" }',
      '  notes:',
      `    command: ${node}`,
      `    args: ${echo}`,
      '    restrat: { policy: always }',
      '  files:',
      `    command: ${node}`,
      `    args: ${echo}`,
      '',
    ].join('\n'),
  );
  return file;
}

test('a server runs though another entry’s ${env:…} is unset and a third has a typo', async (t) => {
  const dir = tempDir(t);
  const file = manifest(dir);
  const guard = startClineShaped(['run', 'files', '-c', file], { t, home: dir });
  guard.send(initialize(1));
  const init = await guard.nextLine();
  assert.equal(init.id, 1, guard.stderr());
  assert.ok(init.result !== undefined, `${JSON.stringify(init)}\n${guard.stderr()}`);
  guard.send(callTool(2, 'echo', { text: 'still here' }));
  const reply = await guard.nextLine();
  assert.deepEqual(reply.result, { content: [{ type: 'text', text: 'still here' }] });
  guard.child.stdin.end();
  assert.equal((await guard.exited).code, 0, guard.stderr());
});

test('the server whose variable is unset fails alone, naming it at file:line:col', (t) => {
  const dir = tempDir(t);
  const file = manifest(dir);
  const r = runClineShaped(['run', 'github', '-c', file], { home: dir });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /mcp-guard\.yaml:8:\d+: servers\.github\.env\.GITHUB_TOKEN: .*GITHUB_TOKEN is not set/,
  );
  assert.doesNotMatch(r.stderr, /restrat/);
});

test('the server with the typo fails alone; with its entry’s env the other one runs', async (t) => {
  const dir = tempDir(t);
  const file = manifest(dir);
  const typo = runClineShaped(['run', 'notes', '-c', file], { home: dir });
  assert.equal(typo.status, 2, typo.stderr);
  assert.match(
    typo.stderr,
    /mcp-guard\.yaml:12:5: servers\.notes\.restrat: unknown key 'restrat' \(did you mean 'restart'\?\)/,
  );
  assert.doesNotMatch(typo.stderr, /GITHUB_TOKEN/);
  const guard = startClineShaped(['run', 'github', '-c', file], {
    t,
    home: dir,
    env: { GITHUB_TOKEN: 'ghp_notARealTokenAtAll0123456789abcdef' },
  });
  guard.send(initialize(1));
  assert.equal((await guard.nextLine()).id, 1, guard.stderr());
  guard.child.stdin.end();
  assert.equal((await guard.exited).code, 0, guard.stderr());
});

test('logs reads the log though another entry’s ${env:…} is unset and a third has a typo', async (t) => {
  const dir = tempDir(t);
  const file = manifest(dir);
  const guard = startClineShaped(['run', 'files', '-c', file], { t, home: dir });
  guard.send(initialize(1));
  assert.equal((await guard.nextLine()).id, 1, guard.stderr());
  guard.child.stdin.end();
  assert.equal((await guard.exited).code, 0, guard.stderr());
  const cases: [string[], RegExp][] = [
    [[], /files/],
    [['--server', 'files'], /files/],
    [['--verify'], /every chain is intact/],
  ];
  for (const [args, shown] of cases) {
    const logs = runClineShaped(['logs', '-c', file, ...args], { home: dir });
    assert.equal(logs.status, 0, `logs ${args.join(' ')}: ${logs.stderr}`);
    assert.match(logs.stdout, shown);
    assert.doesNotMatch(logs.stderr, /GITHUB_TOKEN|restrat/);
  }
});

test('check still reports every server’s problems', (t) => {
  const dir = tempDir(t);
  const file = manifest(dir);
  const r = runClineShaped(['check', '-c', file], { home: dir });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /servers\.github\.env\.GITHUB_TOKEN/);
  assert.match(r.stderr, /servers\.notes\.restrat/);
  assert.match(r.stderr, /2 problems/);
});

test('check and doctor find a command as the launch would, and name a missing one at file:line:col', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'mcp-guard.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      'servers:',
      '  typo:',
      '    command: npx-no-such-runner',
      '  local:',
      '    command: ./bin/server.js',
      '  fine:',
      `    command: ${JSON.stringify(process.execPath)}`,
      '  onpath:',
      '    command: sh',
      '',
    ].join('\n'),
  );
  const check = runClineShaped(['check', '-c', file], { home: dir });
  assert.equal(check.status, 2, check.stderr);
  assert.equal(check.stdout, '');
  assert.match(
    check.stderr,
    /mcp-guard\.yaml:4:14: servers\.typo\.command: 'npx-no-such-runner' is not found on the server's PATH/,
  );
  assert.match(
    check.stderr,
    /mcp-guard\.yaml:6:14: servers\.local\.command: '.*\/bin\/server\.js' does not exist/,
  );
  assert.doesNotMatch(check.stderr, /servers\.(fine|onpath)/);
  const doctor = runClineShaped(['doctor', '-c', file], { home: dir });
  assert.equal(doctor.status, 1, doctor.stderr);
  assert.match(doctor.stdout, /manifest .* \(invalid: 2 problem\(s\)\)/);
  assert.doesNotMatch(doctor.stdout, /\(valid;/);
  assert.match(doctor.stdout, /servers\.typo\.command: 'npx-no-such-runner' is not found/);
});
