/**
 * `mcp-guard check --explain`: the resolved configuration with, beside each value, the layer that
 * set it — built-in, a profile (its file:line:col, built-ins included), `defaults`, or the server
 * itself. Replaced values name the last layer that set them; an accumulating list (`deny`,
 * `readOnly`, `redact`) names, item by item, the first layer that added it.
 */
import type * as Yaml from 'yaml';
import type { SourcePosition } from '../errors.js';
import { pathsFor, platformOf, type ConfigContext } from './context.js';
import { escapeStrings, resolvedDocument, resolvedHeader } from './format.js';
import type { LayerInput, PartialServer } from './layer.js';
import type { ManifestTrace } from './manifest.js';
import { setOwn } from '../own-key.js';
import { ACCUMULATING_LISTS } from './merge.js';
import { builtinProfileFile } from './profiles.js';
import { resolveDenyGlob, type ResolveBase } from './resolve.js';
import type { ResolvedManifest } from './types.js';
import { loadYaml, readYamlSource, type Segment } from './yaml-source.js';

/** Who set a value, and where it is written (absent for built-in defaults and flags). */
export interface Origin {
  label: string;
  where?: SourcePosition;
}

/** Per server: a value's origin by dotted key; an accumulating list's by item. */
export interface ServerOrigins {
  values: Map<string, Origin>;
  items: Map<string, Map<string, Origin>>;
}

export interface ManifestOrigins {
  top: Map<string, Origin>;
  servers: Record<string, ServerOrigins>;
}

const BUILT_IN: Origin = { label: 'built-in' };

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why: built-in profiles are compiled without positions; explaining reads their file again. */
function locator(input: LayerInput): LayerInput['locate'] {
  if (input.locate !== undefined) return input.locate;
  const name = /^built-in profile '(.+)'$/.exec(input.file ?? '')?.[1];
  return name === undefined ? undefined : readYamlSource(builtinProfileFile(name)).source?.locate;
}

function originAt(input: LayerInput, path: readonly Segment[]): Origin {
  const locate = locator(input);
  const label = input.label ?? 'built-in';
  return locate === undefined
    ? { label }
    : { label, where: locate([...input.prefix, ...path], 'value') };
}

/** Why: an accumulated item is matched after resolve.ts made it absolute, as the output shows it. */
function itemKey(dotted: string, item: unknown, base: ResolveBase): string {
  const text = String(item);
  if (dotted === 'paths.roots' || dotted === 'paths.readOnly')
    return base.path.resolve(base.dir, text);
  if (dotted === 'paths.deny') return resolveDenyGlob(text, base);
  return text;
}

/** Why: walks each layer's leaves in merge order, so the last writer of a value is its origin. */
export function serverOrigins(
  inputs: readonly LayerInput[],
  layers: readonly PartialServer[],
  base: ResolveBase,
): ServerOrigins {
  const values = new Map<string, Origin>();
  const items = new Map<string, Map<string, Origin>>();
  inputs.forEach((input, index) => {
    const visit = (value: unknown, path: string[]): void => {
      if (isMap(value)) {
        for (const [key, child] of Object.entries(value)) visit(child, [...path, key]);
        return;
      }
      const dotted = path.join('.');
      values.set(dotted, originAt(input, path));
      if (!Array.isArray(value) || !ACCUMULATING_LISTS.has(dotted)) return;
      const seen = items.get(dotted) ?? new Map<string, Origin>();
      value.forEach((item, i) => {
        const key = itemKey(dotted, item, base);
        if (!seen.has(key)) seen.set(key, originAt(input, [...path, i]));
      });
      items.set(dotted, seen);
    };
    visit(layers[index], []);
  });
  if (!values.has('cwd')) values.set('cwd', { label: "built-in: the manifest's folder" });
  return { values, items };
}

/** Why: `profile` and `audit` are manifest-level; they come from the manifest, a profile or built-ins. */
function topOrigins(trace: ManifestTrace, profileFlag: boolean): Map<string, Origin> {
  const top = new Map<string, Origin>();
  const data = trace.source.data as { profile?: unknown; audit?: Record<string, unknown> };
  const manifest = (path: Segment[]): Origin => ({
    label: 'manifest',
    where: trace.source.locate(path, 'value'),
  });
  top.set(
    'profile',
    profileFlag
      ? { label: '--profile' }
      : data.profile !== undefined
        ? manifest(['profile'])
        : BUILT_IN,
  );
  for (const key of ['file', 'bodies', 'anchor']) {
    if (isMap(data.audit) && data.audit[key] !== undefined) {
      top.set(`audit.${key}`, manifest(['audit', key]));
      continue;
    }
    const profile =
      key === 'bodies'
        ? trace.profileLayers.findLast(
            (l) => isMap(l.data) && isMap(l.data.audit) && typeof l.data.audit.bodies === 'boolean',
          )
        : undefined;
    top.set(`audit.${key}`, profile === undefined ? BUILT_IN : originAt(profile, ['audit', key]));
  }
  return top;
}

/** Why: from the layers a load traced to every value's origin. */
export function explainOrigins(
  trace: ManifestTrace,
  manifest: ResolvedManifest,
  ctx: ConfigContext,
  profileFlag: boolean,
): ManifestOrigins {
  const base: ResolveBase = { dir: manifest.dir, platform: platformOf(ctx), path: pathsFor(ctx) };
  const servers: Record<string, ServerOrigins> = {};
  for (const [name, { inputs, layers }] of Object.entries(trace.servers))
    setOwn(servers, name, serverOrigins(inputs, layers, base));
  return { top: topOrigins(trace, profileFlag), servers };
}

/** Renders an origin as a comment: `profile strict (profiles/strict.yaml:12:3)`. */
export type OriginText = (origin: Origin) => string;

/** Why: the same YAML as `check`, each value commented with its origin. */
export function formatExplained(
  manifest: ResolvedManifest,
  origins: ManifestOrigins,
  describe: OriginText,
): string {
  const Y = loadYaml();
  const doc = new Y.Document(escapeStrings(resolvedDocument(manifest)), {
    aliasDuplicateObjects: false,
  });
  const comment = (origin: Origin | undefined): string => ` ${describe(origin ?? BUILT_IN)}`;
  const annotate = (node: unknown, path: string[], lookup: ServerOrigins | null): void => {
    if (!Y.isMap(node)) return;
    for (const pair of node.items) {
      const key = Y.isScalar(pair.key) ? String(pair.key.value) : '';
      const here = [...path, key];
      const dotted = here.join('.');
      const value = pair.value;
      const origin = lookup === null ? origins.top.get(dotted) : lookup.values.get(dotted);
      if (Y.isMap(value) && value.items.length > 0) {
        annotate(value, here, lookup);
      } else if (Y.isCollection(value) && value.items.length === 0) {
        value.flow = true;
        value.comment = comment(origin);
      } else if (Y.isSeq(value) && lookup !== null && ACCUMULATING_LISTS.has(dotted)) {
        const items = lookup.items.get(dotted);
        for (const item of value.items as Yaml.Node[]) {
          const raw = Y.isScalar(item) ? String(item.value) : '';
          item.comment = comment(items?.get(raw.replaceAll('$${', '${')));
        }
      } else if (Y.isSeq(value) && Y.isScalar(pair.key)) {
        pair.key.comment = comment(origin);
      } else if (Y.isNode(value)) {
        value.comment = comment(origin);
      }
    }
  };
  const root = doc.contents;
  if (Y.isMap(root)) {
    for (const pair of root.items) {
      const key = Y.isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'servers' && Y.isMap(pair.value)) {
        for (const server of pair.value.items) {
          const name = Y.isScalar(server.key) ? String(server.key.value) : '';
          const lookup = Object.hasOwn(origins.servers, name) ? origins.servers[name] : undefined;
          if (lookup !== undefined) annotate(server.value, [], lookup);
        }
      } else if (key === 'audit') annotate(pair.value, ['audit'], null);
      else if (key === 'profile' && Y.isNode(pair.value))
        pair.value.comment = comment(origins.top.get('profile'));
    }
  }
  const header = [
    ...resolvedHeader(manifest),
    '# Beside each value: the layer that set it (later wins: built-in ← profile ← defaults ← server).',
  ];
  return `${header.join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}
