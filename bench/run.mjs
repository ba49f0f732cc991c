// `npm run bench` entry: compiles the TypeScript harness in bench/ (only bench/, so work in
// progress elsewhere cannot stop a measurement) into .build/bench/, then runs it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', `${root}bench/tsconfig.json`], {
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  process.stderr.write('bench: compiling bench/ failed\n');
  process.exit(1);
}
// The harness is typed in bench/main.ts; from this untyped entry it is `any`, which is fine here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const { runBenchmark } = await import(pathToFileURL(`${root}.build/bench/main.js`).href);
// eslint-disable-next-line @typescript-eslint/no-unsafe-call
await runBenchmark(root);
