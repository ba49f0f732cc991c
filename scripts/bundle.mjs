// Runs last in `npm run build`: bundles the CLI into dist/bin/mcp-guard.js, the file `bin` names.
//
// Why: loading `run`'s startup path as ~150 ES modules cost about 8 MB of idle RSS (the module
// loader's records per module, docs/benchmark.md) and a read, parse and link per file. Bundled,
// the entry and the chunks it loads hold the same code. What a `run` session may not need stays
// out of its way: each dynamic import() of our own code (the other commands among them) becomes
// a chunk loaded when it is called, and the dependencies other than pino (ajv, yaml, picomatch,
// cross-spawn, koffi, …) are loaded from node_modules when a command needs them.
//
// The tsc build stays as it is beside the bundle: scripts/build-config.mjs imports it, the
// Landlock launcher runs from it as a program of its own, and tests import its modules.
//
// Each bundled module's `import.meta.url` is replaced by the URL of its tsc twin in dist/
// (src/config/validate.ts → dist/config/validate.js), so the files a module finds beside itself
// (dist/config/schema-validators.cjs, builtin-profiles.json, the launcher, ../package.json,
// profiles/) are found from the bundle as they are from dist/. Every output file is written to
// dist/bin/, one folder below dist/, which makes that URL one fixed relative path for all.
//
// dist/bin/ is emptied first: chunk names carry a hash of their content, so every change leaves
// the previous build's chunks beside the new ones, and `files` ships all of dist/. Only dist/bin/
// is the bundle's; the rest of dist/ is tsc's and build-config's.
import { readFile, rm } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src/`;
const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8'));
/** The dependencies bundled into the CLI rather than loaded from node_modules. */
const INLINED = ['pino'];

/** `import.meta.url` of a src/ module → the URL of its dist/ twin, relative to dist/bin/. */
const moduleUrls = {
  name: 'module-urls',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\/src\/.*\.ts$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const twin = `../${relative(src, path).replace(/\.ts$/, '.js')}`;
      return {
        contents: text.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(twin)}, import.meta.url).href`,
        ),
        loader: 'ts',
        resolveDir: dirname(path),
      };
    });
  },
};

await rm(`${root}dist/bin`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'mcp-guard': 'src/cli/main.ts' },
  outdir: 'dist/bin',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.5',
  // pino is on every session's path and is inlined; the other dependencies (a native addon for
  // Landlock, Windows' cross-spawn, what other commands use) load from node_modules when used.
  external: Object.keys(pkg.dependencies).filter((name) => !INLINED.includes(name)),
  // pino and its helpers are CommonJS: their require() of Node's modules needs a real require.
  banner: {
    js: "import { createRequire as __mcpGuardRequire } from 'node:module';\nconst require = __mcpGuardRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [moduleUrls],
});
