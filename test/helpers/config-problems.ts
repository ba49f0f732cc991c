/** Shared by the config problem tests: a temp project and the problems loading it reports. */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { TestContext } from 'node:test';
import { type ConfigContext, loadManifest } from '../../src/config/load.js';
import { type ConfigProblem, GuardError } from '../../src/errors.js';
import { FIXTURES } from './paths.js';
import { tempDir } from './temp-dir.js';

export function workspace(
  t: TestContext,
  files: Record<string, string> | string,
): { dir: string; ctx: ConfigContext } {
  const root = realpathSync(tempDir(t, 'mcp-guard-problems-'));
  const dir = join(root, 'project');
  if (typeof files === 'string') cpSync(join(FIXTURES, 'config', files), dir, { recursive: true });
  else {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  }
  const home = join(root, 'home');
  mkdirSync(home);
  return { dir, ctx: { cwd: dir, env: { XDG_CONFIG_HOME: join(home, '.config') }, homeDir: home } };
}

/** `[file relative to the project, line, col, key, message]`, as check prints them. */
export type Expected = [string, number | undefined, number | undefined, string | undefined, string];

export function problemsOf(dir: string, ctx: ConfigContext, profile?: string): Expected[] {
  try {
    loadManifest(join(dir, 'mcp-guard.yaml'), ctx, profile === undefined ? {} : { profile });
  } catch (err) {
    assert.ok(err instanceof GuardError, String(err));
    assert.equal(err.code, 'ERR_CONFIG_INVALID');
    assert.equal(err.exitCode, 2);
    return err.problems.map((p: ConfigProblem) => [
      p.file === undefined ? '' : relative(dir, p.file),
      p.line,
      p.col,
      p.key,
      p.message,
    ]);
  }
  assert.fail('the manifest should have been refused');
}
