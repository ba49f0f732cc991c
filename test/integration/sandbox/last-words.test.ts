/**
 * When bubblewrap cannot set the sandbox up it says why on stderr and exits at once, often before
 * mcp-guard has finished starting: that line must still reach mcp-guard's stderr and the audit
 * log (here a `bwrap` first on PATH passes the trial, then fails the launch as a kernel would).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  initialize,
  readAudit,
  startGuard,
  tempDir,
  writeManifest,
} from '../../helpers/guard-process.js';
import { FIXTURES } from '../../helpers/paths.js';

const SAID = "bwrap: Can't mount proc on /newroot/proc: Operation not permitted";

test("bubblewrap's reason for failing reaches stderr and the audit log", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    join(dir, 'bin', 'bwrap'),
    [
      '#!/bin/sh',
      '[ "$1" = --version ] && { echo "bubblewrap 0.8.0"; exit 0; }',
      '[ "$1" = --args ] || exit 0',
      `echo "${SAID}" >&2`,
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'bin', 'bwrap'), 0o755);
  const manifest = writeManifest(dir, {
    command: process.execPath,
    args: [join(FIXTURES, 'echo.mjs')],
    sandbox: { mode: 'required', network: 'deny' },
    // One launch: the session ends with it, as without supervision.
    restart: { policy: 'never' },
  });
  const guard = startGuard(['run', 'server', '-c', manifest], {
    t,
    stateDir: dir,
    env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
  });
  guard.send(initialize(1));
  const exit = await guard.exited;
  assert.equal(exit.code, 1, guard.stderr());
  assert.match(guard.stderr(), new RegExp(SAID));
  const lines = readAudit(join(dir, 'audit.jsonl'))
    .filter((r) => r.event === 'child.stderr')
    .map((r) => r.text);
  assert.deepEqual(lines, [SAID]);
});
