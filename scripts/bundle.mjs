// Runs last in `npm run build`: bundles the CLI into dist/bin/mcp-guard.js, the file `bin` names.
//
// Why: loading `run`'s startup path as ~150 ES modules cost about 8 MB of idle RSS (the module
// loader's records per module, docs/benchmark.md) and a read, parse and link per file. Bundled,
// the entry and the chunks it loads hold the same code. What a `run` session may not need stays
// out of its way: each dynamic import() of our own code (the other commands among them) becomes
// a chunk loaded when it is called, and the dependencies other than pino (ajv, yaml, picomatch,
// cross-spawn, koffi, …) are loaded from node_modules when a command needs them. Node's own
// modules are loaded with require(), not imported (requireBuiltins below: an ES import of one
// reads all its exports, loading what their lazy getters hide).
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

/**
 * Node's own modules, imported by src/ with `import`, are loaded with require() in the bundle: an
 * ES import of a built-in module makes Node build its ES facade, which reads every export once —
 * and so runs the lazy getters behind some of them (node:crypto's webcrypto, node:fs's promises,
 * node:buffer's File, …), loading modules no session uses. `import { a, b as c } from 'node:x'`
 * becomes `const { a, b: c } = require('node:x')`, which reads only what the module uses; a
 * namespace or default import becomes the module itself. Type-only imports are left to esbuild.
 */
function requireBuiltins(text) {
  return text.replace(
    /^import\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\w+)\s+from\s+'(node:[\w/]+)';$/gm,
    (statement, typeOnly, what, name) => {
      if (typeOnly !== undefined) return statement;
      if (!what.startsWith('{'))
        return `const ${what.replace(/^\*\s+as\s+/, '')} = require('${name}');`;
      const names = what
        .slice(1, -1)
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '' && !item.startsWith('type '))
        .map((item) => item.replace(/\s+as\s+/, ': '));
      return names.length === 0 ? '' : `const { ${names.join(', ')} } = require('${name}');`;
    },
  );
}

/**
 * The bundle's rewrites of src/ modules: built-in imports (above), and `import.meta.url` replaced
 * by the URL of the module's dist/ twin, relative to dist/bin/.
 */
const sourceRewrites = {
  name: 'source-rewrites',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\/src\/.*\.ts$/ }, async ({ path }) => {
      const twin = `../${relative(src, path).replace(/\.ts$/, '.js')}`;
      const text = requireBuiltins(await readFile(path, 'utf8')).replaceAll(
        'import.meta.url',
        `new URL(${JSON.stringify(twin)}, import.meta.url).href`,
      );
      return { contents: text, loader: 'ts', resolveDir: dirname(path) };
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
  plugins: [sourceRewrites],
});
