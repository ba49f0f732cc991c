/**
 * The bundle in dist/bin/ (scripts/bundle.mjs): it holds the entry and the chunks it reaches,
 * nothing left from an earlier build (`files` ships dist/).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { CLI } from '../helpers/paths.js';

const BIN = dirname(CLI);

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
