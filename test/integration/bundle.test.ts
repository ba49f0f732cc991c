/**
 * The bundle in dist/bin/ (scripts/bundle.mjs): a `run` session loads only the chunks of its own
 * path (never the HTTP front, the metrics, or another command's code), and dist/bin/ holds the
 * entry and the chunks it reaches, nothing left from an earlier build (`files` ships dist/).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startGuard, tempDir, writeManifest } from '../helpers/guard-process.js';
import { CLI, FIXTURES, ROOT } from '../helpers/paths.js';

const BIN = dirname(CLI);
const RECORDER = join(FIXTURES, 'record-scripts.cjs');
const ECHO = join(FIXTURES, 'echo.mjs');

/** The source files (`src/…`) bundled into the chunks at these file: URLs, from their maps. */
function sourcesOf(urls: readonly string[]): Set<string> {
  const sources = new Set<string>();
  for (const url of urls) {
    if (!url.startsWith('file:')) continue;
    const file = fileURLToPath(url);
    if (dirname(file) !== BIN) continue;
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    for (const source of map.sources) {
      const path = join(BIN, source).slice(ROOT.length);
      if (path.startsWith('src/')) sources.add(path);
    }
  }
  return sources;
}

/** What a `run` process must never load: these folders and the other commands' modules. */
async function forbiddenForRun(): Promise<(source: string) => boolean> {
  const { COMMANDS } = (await import(
    pathToFileURL(join(ROOT, 'dist', 'cli', 'commands.js')).href
  )) as typeof import('../../src/cli/commands.js');
  const others = Object.keys(COMMANDS).filter((name) => name !== 'run');
  return (source) =>
    /^src\/(http|metrics|adopt)\//.test(source) ||
    source.startsWith('src/cli/up-') ||
    others.some((name) => source === `src/cli/${name}.ts`);
}

/** Runs one `run` session (initialize, tools/list, a call, end of input) and lists its sources. */
async function runSession(t: TestContext, args: (dir: string) => string[]): Promise<Set<string>> {
  const dir = tempDir(t);
  const guard = startGuard(args(dir), {
    t,
    stateDir: dir,
    env: { NODE_OPTIONS: `--require ${RECORDER}`, RECORD_SCRIPTS_DIR: dir },
  });
  await guard.initialize();
  const listed = await guard.request('tools/list');
  assert.ok(listed.result !== undefined, guard.stderr());
  const called = await guard.request('tools/call', { name: 'echo', arguments: { text: 'hi' } });
  assert.ok(called.result !== undefined, guard.stderr());
  const exit = await guard.close(10_000);
  assert.equal(exit.code, 0, guard.stderr());
  const urls = readFileSync(join(dir, `${guard.pid}.txt`), 'utf8')
    .split('\n')
    .filter(Boolean);
  return sourcesOf(urls);
}

for (const [form, args] of [
  ['ad hoc', () => ['run', '--', process.execPath, ECHO]],
  [
    'a manifest server',
    (dir: string) => [
      'run',
      'server',
      '-c',
      writeManifest(dir, { command: process.execPath, args: [ECHO] }),
    ],
  ],
] as const) {
  test(`run (${form}) loads neither the HTTP front, the metrics, nor another command`, async (t) => {
    const forbidden = await forbiddenForRun();
    const sources = await runSession(t, args);
    // The recording works: run's own path is there.
    for (const own of ['src/cli/main.ts', 'src/cli/run.ts', 'src/relay/relay.ts']) {
      assert.ok(sources.has(own), `${own} not among the loaded sources: ${[...sources].join(' ')}`);
    }
    assert.deepEqual([...sources].filter(forbidden), []);
  });
}

test('dist/bin/ holds the entry and the chunks it reaches, each with its map, nothing else', () => {
  const files = readdirSync(BIN).sort();
  const scripts = files.filter((file) => file.endsWith('.js'));
  assert.deepEqual(
    files.filter((file) => !file.endsWith('.js')),
    scripts.map((file) => `${file}.map`),
  );
  const reached = new Set([basename(CLI)]);
  const queue = [basename(CLI)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    const text = readFileSync(join(BIN, file), 'utf8');
    for (const [, chunk] of text.matchAll(
      /(?:\bfrom|\bimport\s*\(?)\s*["']\.\/([\w-]+\.js)["']/g,
    )) {
      if (reached.has(chunk!)) continue;
      reached.add(chunk!);
      queue.push(chunk!);
    }
  }
  assert.deepEqual(
    scripts.filter((file) => !reached.has(file)),
    [],
    'chunks nothing imports (left by an earlier build)',
  );
});

/** The one ES import of a Node module each chunk has: the banner's, for require(). */
const BANNER_IMPORT = "import { createRequire as __mcpGuardRequire } from 'node:module';";

test('no chunk imports a Node module with an ES import (its facade would read every export)', () => {
  const scripts = readdirSync(BIN).filter((file) => file.endsWith('.js'));
  const esImports = scripts.flatMap((file) =>
    [
      ...readFileSync(join(BIN, file), 'utf8')
        .replace(BANNER_IMPORT, '')
        .matchAll(/\b(?:from|import)\s*\(?\s*["']node:[\w/]+["']/g),
    ].map(([statement]) => `${file}: ${statement}`),
  );
  assert.deepEqual(esImports, []);
  assert.ok(
    scripts.some((file) =>
      readFileSync(join(BIN, file), 'utf8').includes('__require("node:crypto")'),
    ),
    'the chunks load node:crypto with require()',
  );
});
