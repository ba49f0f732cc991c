/**
 * The layers of src/ (docs/architecture.md), checked by `npm run lint` and `npm test`:
 *
 *   cli → (adopt, http) → supervisor → (sandbox, relay) → (policy, metrics) → audit → config → protocol → base
 *
 * A folder imports only from folders below it; the folders of one level (sandbox and relay; policy
 * and metrics; adopt and http) do not import each other. The base is the files directly under src/
 * (errors.ts, version.ts, atomic-file.ts): generic helpers every layer may use.
 */

/** Lowest first; folders of one entry share a level. */
const LEVELS = [
  ['protocol'],
  ['config'],
  ['audit'],
  ['policy', 'metrics'],
  ['sandbox', 'relay'],
  ['supervisor'],
  ['adopt', 'http'],
  ['cli'],
];

const any = (folders) => `^src/(${folders.join('|')})/`;

const layerRules = LEVELS.flatMap((level, index) => {
  const below = LEVELS.slice(0, index).flat();
  const notBelow = LEVELS.flat().filter((folder) => !below.includes(folder));
  return level.map((folder) => ({
    name: `layer-${folder}`,
    comment:
      below.length === 0
        ? `src/${folder}/ is the lowest layer: it imports only the base files directly under src/`
        : `src/${folder}/ imports only from lower layers (${below.join(', ')}) and the base files directly under src/`,
    severity: 'error',
    from: { path: any([folder]) },
    to: { path: any(notBelow.filter((other) => other !== folder)) },
  }));
});

export default {
  forbidden: [
    ...layerRules,
    {
      name: 'base-imports-no-layer',
      comment: 'the base files directly under src/ are below every layer: they import none of them',
      severity: 'error',
      from: { path: '^src/[^/]+$' },
      to: { path: any(LEVELS.flat()) },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every folder of src/ has its place in the layers (add a new one to LEVELS)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: [any(LEVELS.flat()), '^src/[^/]+$'] },
    },
  ],
  options: {
    includeOnly: '^src/',
    tsConfig: { fileName: 'tsconfig.json' },
    // `import type` binds layers as much as a value import does.
    tsPreCompilationDeps: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
