/**
 * Profile lookup (SPEC §4) and `extends` chains. A name is looked up in `profiles/NAME.yaml`
 * beside the manifest, then the user's config folder, then the package's built-ins (compiled to
 * JSON at build time, so they cost no YAML parse). A value with a path separator or a
 * `.yaml`/`.yml` ending is a file path, relative to the file that names it.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConfigProblem, SourcePosition } from '../errors.js';
import { type ConfigContext, pathsFor, userConfigDir } from './context.js';
import { expandTilde, type LayerInput } from './layer.js';
import { validateSource } from './validate.js';
import { readYamlSource } from './yaml-source.js';

/** Why: the profile used when neither the manifest nor `--profile` names one. */
export const DEFAULT_PROFILE = 'default';

/**
 * The package's own `profiles/` folder. When a manifest sits beside it (the repository's bundled
 * manifest), its files are the built-ins, already compiled: not project profiles to parse again.
 */
const PACKAGE_PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));

/** Why: `check --explain` points at the line of a built-in profile that set a value. */
export function builtinProfileFile(name: string): string {
  return `${PACKAGE_PROFILES}${name}.yaml`;
}

interface BuiltinProfile {
  data: Record<string, unknown>;
}

let builtins: Record<string, BuiltinProfile> | undefined;

/** Why: the built-in profiles, as validated and written by scripts/build-config.mjs. */
export function builtinProfiles(): Record<string, BuiltinProfile> {
  builtins ??= JSON.parse(
    readFileSync(new URL('./builtin-profiles.json', import.meta.url), 'utf8'),
  ) as Record<string, BuiltinProfile>;
  return builtins;
}

/** Where a `profile:` or `extends:` value was written, to look it up and to report problems. */
export interface ProfileOrigin {
  /** Folder that relative profile paths are taken from (the naming file's folder). */
  baseDir: string;
  /** Folder whose `profiles/` is searched first; absent for ad-hoc runs. */
  manifestDir?: string;
  /** Position of the value, for problems (computed only when one is reported); absent for `--profile`. */
  where?: () => Partial<SourcePosition>;
  key: string;
}

type Found = { id: string; name: string; level: number } & (
  { file: string } | { builtin: BuiltinProfile }
);

/** Why: the folders a profile name is looked up in, first match wins; `level` orders them. */
function candidates(
  name: string,
  origin: ProfileOrigin,
  ctx: ConfigContext,
): { level: number; file: string }[] {
  const path = pathsFor(ctx);
  const list = [{ level: 1, file: path.join(userConfigDir(ctx), 'profiles', `${name}.yaml`) }];
  if (origin.manifestDir !== undefined)
    list.unshift({ level: 0, file: path.join(origin.manifestDir, 'profiles', `${name}.yaml`) });
  return list;
}

/**
 * Whether `file` is a regular file; false when it, or a folder on its way, is missing (a HOME
 * that is a file gives ENOTDIR); otherwise why it cannot be read, as a problem.
 */
function isFile(file: string): boolean | string {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOTDIR') return false;
    return `profile file ${file} cannot be read (${typeof code === 'string' ? code : String(error)})`;
  }
}

/** Why: `profiles/strict.yaml` holding `extends: strict` means the next `strict` down the lookup. */
function findProfile(
  spec: string,
  origin: ProfileOrigin,
  ctx: ConfigContext,
  fromLevel: number,
): Found | string {
  const path = pathsFor(ctx);
  if (/[\\/]/.test(spec) || /\.ya?ml$/.test(spec)) {
    const file = path.resolve(origin.baseDir, expandTilde(spec, ctx.homeDir));
    const is = isFile(file);
    if (is === true) return { id: file, name: spec, level: -1, file };
    return is === false ? `profile file ${file} does not exist` : is;
  }
  const looked: string[] = [];
  for (const { level, file } of candidates(spec, origin, ctx)) {
    if (level < fromLevel || file.startsWith(PACKAGE_PROFILES)) continue;
    looked.push(file);
    const is = isFile(file);
    if (typeof is === 'string') return is;
    if (is) return { id: file, name: spec, level, file };
  }
  const builtin = fromLevel <= 2 ? builtinProfiles()[spec] : undefined;
  if (builtin !== undefined) return { id: `built-in:${spec}`, name: spec, level: 2, builtin };
  const names = Object.keys(builtinProfiles()).join(', ');
  return `unknown profile '${spec}' (looked for ${looked.join(', ')}${looked.length > 0 ? ', and ' : ''}built-in profiles ${names})`;
}

/** The resolved chain: layers base first, the name to report, and any problems. */
export interface ProfileChain {
  layers: LayerInput[];
  /** A built-in's name, else the profile file's absolute path (valid wherever it is printed). */
  resolvedName: string;
  /** The files read along the chain (absolute), most specific first; built-ins have none. */
  files: string[];
  problems: ConfigProblem[];
}

/** Why: a profile (observe) may ask for bodies in the audit log; the last layer saying so wins. */
export function profileAuditBodies(chain: ProfileChain): boolean | undefined {
  let bodies: boolean | undefined;
  for (const layer of chain.layers) {
    const audit = (layer.data as { audit?: { bodies?: unknown } }).audit;
    if (typeof audit?.bodies === 'boolean') bodies = audit.bodies;
  }
  return bodies;
}

/** Why: loads `spec` and everything it extends, reporting unknown names and cycles where written. */
export function loadProfileChain(
  spec: string,
  origin: ProfileOrigin,
  ctx: ConfigContext,
): ProfileChain {
  const path = pathsFor(ctx);
  const layers: LayerInput[] = [];
  const problems: ConfigProblem[] = [];
  const seen: string[] = [];
  let resolvedName = spec;
  let current: { spec: string; origin: ProfileOrigin; fromLevel: number } | undefined = {
    spec,
    origin,
    fromLevel: 0,
  };
  while (current !== undefined) {
    const found = findProfile(current.spec, current.origin, ctx, current.fromLevel);
    const origin = current.origin;
    const here = (): Partial<SourcePosition> & { key: string } => ({
      ...origin.where?.(),
      key: origin.key,
    });
    if (typeof found === 'string') {
      problems.push({ ...here(), message: found });
      break;
    }
    if (layers.length === 0 && 'file' in found) resolvedName = found.file;
    if (seen.includes(found.id)) {
      problems.push({
        ...here(),
        message: `profile extends cycle: ${[...seen, found.id].join(' → ')}`,
      });
      break;
    }
    seen.push(found.id);
    let data: Record<string, unknown>;
    let layer: LayerInput;
    if ('builtin' in found) {
      data = found.builtin.data;
      layer = {
        data,
        file: `built-in profile '${found.name}'`,
        prefix: [],
        label: `built-in profile ${found.name}`,
      };
    } else {
      const read = readYamlSource(found.file);
      if (read.source === undefined) {
        problems.push(...read.problems);
        break;
      }
      // Schema problems do not stop the chain: variables and parents are still checked.
      problems.push(...validateSource(read.source, 'profile'));
      const raw = read.source.data;
      data = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
      layer = {
        data,
        file: found.file,
        prefix: [],
        locate: read.source.locate,
        label: `profile ${found.name}`,
      };
    }
    layers.unshift(layer);
    const parent = data.extends;
    if (typeof parent !== 'string') break;
    const file = 'file' in found ? found.file : undefined;
    current = {
      spec: parent,
      origin: {
        baseDir: file === undefined ? current.origin.baseDir : path.dirname(file),
        ...(current.origin.manifestDir === undefined
          ? {}
          : { manifestDir: current.origin.manifestDir }),
        ...(layer.locate === undefined ? {} : { where: () => layer.locate!(['extends'], 'value') }),
        key: 'extends',
      },
      // Built-ins extend built-ins only: `strict` must not change with the project it runs in.
      fromLevel:
        found.level === 2 ? 2 : parent === found.name && found.level >= 0 ? found.level + 1 : 0,
    };
  }
  const files = seen.filter((id) => !id.startsWith('built-in:'));
  return { layers, resolvedName, files, problems };
}
