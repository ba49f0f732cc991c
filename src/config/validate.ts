/**
 * Schema validation without ajv at run time: `scripts/build-config.mjs` compiles
 * `schema/mcp-guard.schema.json` into a standalone module beside this file, loaded on first use.
 * This file turns its errors into positioned, human problems. A text the parse cache says passed
 * the same check with the same validators before is not checked again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ConfigProblem } from '../errors.js';
import { badDuration, badSize, describeValue, expectedType, unknownKey } from './messages.js';
import { type Anchor, type Segment, type YamlSource, formatKey } from './yaml-source.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

/** The part of JSON Schema the messages need to look at. */
interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  propertyNames?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

interface GeneratedValidators {
  validateManifest: CompiledValidator;
  validateProfile: CompiledValidator;
  manifestSchema: SchemaNode;
}

/** Which document a file is. */
export type DocumentKind = 'manifest' | 'profile';

const GENERATED = './schema-validators.cjs';

let generated: GeneratedValidators | undefined;
let generatedId: string | undefined;

function validators(): GeneratedValidators {
  generated ??= createRequire(import.meta.url)(GENERATED) as GeneratedValidators;
  return generated;
}

/**
 * Why: the name of one schema check in the parse cache: the document kind and a hash of the
 * generated validators, so a text that passed is not checked again by the same build of them
 * (nor loaded: they are the largest module of `run`'s start), and is by any other.
 */
function checkName(kind: DocumentKind): string {
  generatedId ??= createHash('sha256')
    .update(readFileSync(new URL(GENERATED, import.meta.url)))
    .digest('hex')
    .slice(0, 32);
  return `${kind}:${generatedId}`;
}

/** Follows `$ref`s (and a lone `allOf` wrapper); returns the schema and the last definition name. */
function deref(
  node: SchemaNode | undefined,
  root: SchemaNode,
): { node?: SchemaNode; ref?: string } {
  let ref: string | undefined;
  for (let depth = 0; node !== undefined && depth < 8; depth++) {
    const target = node.$ref ?? node.allOf?.[0]?.$ref;
    if (target === undefined) break;
    ref = target.slice(target.lastIndexOf('/') + 1);
    node = root.definitions?.[ref];
  }
  return node === undefined ? {} : { node, ...(ref === undefined ? {} : { ref }) };
}

function schemaAt(root: SchemaNode, start: SchemaNode, path: readonly Segment[]) {
  let current = deref(start, root);
  for (const seg of path) {
    const node = current.node;
    if (node === undefined) return current;
    const extra =
      typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    const next = typeof seg === 'number' ? node.items : (node.properties?.[seg] ?? extra);
    current = deref(next, root);
  }
  return current;
}

function pointerToPath(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const path: Segment[] = [];
  let value = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step: Segment = Array.isArray(value) ? Number(seg) : seg;
    path.push(step);
    value = (value as Record<string | number, unknown> | undefined)?.[step];
  }
  return path;
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let value = data;
  for (const seg of path) value = (value as Record<string | number, unknown> | undefined)?.[seg];
  return value;
}

interface Located {
  path: Segment[];
  anchor: Anchor;
  message: string;
}

function describeError(
  err: AjvError,
  data: unknown,
  root: SchemaNode,
  start: SchemaNode,
): Located | undefined {
  const path = pointerToPath(err.instancePath, data);
  const value = valueAt(data, path);
  const { node, ref } = schemaAt(root, start, path);
  const kind = ref === 'duration' ? badDuration : ref === 'size' ? badSize : undefined;
  const p = err.params;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      return {
        path: [...path, key],
        anchor: 'key',
        message: unknownKey(key, Object.keys(node?.properties ?? {})),
      };
    }
    case 'required': {
      const key = String(p.missingProperty);
      return { path: [...path, key], anchor: 'key', message: `missing required key '${key}'` };
    }
    case 'propertyNames':
      return badName(path, String(p.propertyName));
    case 'pattern':
      // A pattern failing on a map is a propertyNames sub-error, reported by the case above.
      if (typeof value !== 'string') return undefined;
      return {
        path,
        anchor: 'value',
        message: kind?.(value) ?? `${describeValue(value)} does not match ${String(p.pattern)}`,
      };
    case 'type': {
      if (path.length === 0)
        return {
          path,
          anchor: 'value',
          message: `expected a map of settings, got ${describeValue(value)}`,
        };
      const types = Array.isArray(p.type) ? p.type.map(String) : String(p.type).split(',');
      return { path, anchor: 'value', message: kind?.(value) ?? expectedType(types, value) };
    }
    case 'exclusiveMinimum':
    case 'minimum':
      return {
        path,
        anchor: 'value',
        message:
          kind?.(value) ?? `expected at least ${String(p.limit)}, got ${describeValue(value)}`,
      };
    case 'minLength':
      return { path, anchor: 'value', message: 'must not be empty' };
    case 'enum':
      return {
        path,
        anchor: 'value',
        message: `expected one of ${(p.allowedValues as unknown[]).map(String).join(', ')}, got ${describeValue(value)}`,
      };
    case 'const':
      return {
        path,
        anchor: 'value',
        message: `expected ${String(p.allowedValue)}, got ${describeValue(value)}`,
      };
    default:
      return { path, anchor: 'value', message: err.message ?? `fails ${err.keyword}` };
  }
}

function badName(path: Segment[], name: string): Located {
  const inServers = path.length === 1 && path[0] === 'servers';
  const message = inServers
    ? `server name '${name}' may use only letters, digits, '.', '_' and '-', and must not start with '.' or '-'`
    : `'${name}' is not a valid environment variable name (no '=' or NUL)`;
  return { path: [...path, name], anchor: 'key', message };
}

/** Why: every schema problem at once, each at its `file:line:col` with the key and what was expected. */
export function validateSource(source: YamlSource, kind: DocumentKind): ConfigProblem[] {
  const check = source.checks === undefined ? undefined : checkName(kind);
  if (check !== undefined && source.checks?.passed.includes(check) === true) return [];
  const { validateManifest, validateProfile, manifestSchema } = validators();
  const validate = kind === 'manifest' ? validateManifest : validateProfile;
  if (validate(source.data)) {
    if (check !== undefined) source.checks?.remember(check);
    return [];
  }
  const start = kind === 'manifest' ? manifestSchema : (manifestSchema.definitions?.profile ?? {});
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const err of validate.errors ?? []) {
    const located = describeError(err, source.data, manifestSchema, start);
    if (located === undefined) continue;
    const key = formatKey(located.path);
    if (seen.has(key)) continue; // one problem per key: the first is the most telling
    seen.add(key);
    const where = source.locate(located.path, located.anchor);
    problems.push({ ...where, ...(key === '' ? {} : { key }), message: located.message });
  }
  return problems;
}
