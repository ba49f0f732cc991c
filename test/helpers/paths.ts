import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (tests run compiled from `.build/test/…`). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The built CLI, as a client config would launch it: the file package.json's `bin` names. */
export const CLI = join(
  ROOT,
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> })
    .bin['mcp-guard']!,
);
/** Plain-node fixture programs (not compiled). */
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** The reference servers, launched by path so tests need no network. */
export const SERVER_EVERYTHING = join(
  ROOT,
  'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);
export const SERVER_FILESYSTEM = join(
  ROOT,
  'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
);
export const SERVER_MEMORY = join(
  ROOT,
  'node_modules/@modelcontextprotocol/server-memory/dist/index.js',
);
