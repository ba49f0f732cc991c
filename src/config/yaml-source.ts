/**
 * A YAML file parsed with source positions, so every problem found later (schema, variables,
 * profiles) can point at `file:line:col`. `yaml` is loaded on first use: an ad-hoc `run` with a
 * built-in profile never parses YAML and never pays for the import.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { ConfigProblem, SourcePosition } from '../errors.js';
import { parseKey, readParsed, writeParsed } from './parse-cache.js';

/** A step in a path into a document: a map key or a list index. */
export type Segment = string | number;

/** Why: problems on a key (unknown key) point at the key; problems on a value, at the value. */
export type Anchor = 'key' | 'value';

/** A parsed, syntactically valid YAML file: its data and a way back to positions in the text. */
export interface YamlSource {
  file: string;
  data: unknown;
  locate: (path: readonly Segment[], anchor: Anchor) => SourcePosition;
  /** With the parse cache: the schema checks this exact text passed before, and a way to add one. */
  checks?: { passed: readonly string[]; remember: (check: string) => void };
}

/** Checks kept per cached text: those of the last few builds of the validators that read it. */
const KEPT_CHECKS = 4;

let yamlModule: typeof Yaml | undefined;

/** Why: `yaml` costs ~20 ms to import; only code that really parses or prints YAML loads it. */
export function loadYaml(): typeof Yaml {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yamlModule;
}

/** Dotted key path for messages: `servers.files.args[2]`. */
export function formatKey(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path)
    out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

function syntaxMessage(err: Yaml.YAMLError, text: string): string {
  if (err.code === 'DUPLICATE_KEY') {
    const rest = text.slice(err.pos[0]).split(/\r?\n/, 1)[0] ?? '';
    const key = (rest.split(/:(\s|$)/, 1)[0] ?? rest).trim();
    return `duplicate key '${key}' (each key may appear once in a map)`;
  }
  const first = err.message.split('\n')[0] ?? err.message;
  return `YAML: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}

/** Why: parse once, report every syntax problem with its position, and keep the nodes to locate. */
export function parseYamlSource(
  file: string,
  text: string,
): { source?: YamlSource; problems: ConfigProblem[] } {
  const Y = loadYaml();
  const lines = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((err): ConfigProblem => {
    const { line, col } = lines.linePos(err.pos[0]);
    return { file, line, col, message: syntaxMessage(err, text) };
  });
  if (problems.length > 0) return { problems };
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const at = (offset: number | undefined): SourcePosition => {
    const { line, col } = lines.linePos(offset ?? 0);
    return { file, line, col };
  };
  const locate = (path: readonly Segment[], anchor: Anchor): SourcePosition => {
    let node: unknown = doc.contents;
    let key: Yaml.Node | undefined;
    for (const seg of path) {
      if (Y.isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      if (Y.isMap(node)) {
        const pair = node.items.find(
          (p) => Y.isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (pair === undefined) break;
        key = pair.key as Yaml.Node;
        next = pair.value;
      } else if (Y.isSeq(node) && typeof seg === 'number' && Y.isNode(node.items[seg])) {
        next = node.items[seg];
        key = next as Yaml.Node;
      } else break;
      node = next;
    }
    const value = Y.isNode(node) ? node : undefined;
    // `key:` with nothing after it has an empty value node; point at the key instead.
    const range = value?.range;
    const empty = range === undefined || range === null || range[0] === range[1];
    const target = anchor === 'key' || empty ? (key ?? value) : value;
    return at(target?.range?.[0]);
  };
  return { source: { file, data, locate }, problems };
}

/**
 * Why: an unreadable file is one more problem to report, not a crash. With `cacheDir`, a text
 * parsed before is taken from the parse cache, and YAML is parsed only if a position is needed;
 * the source then carries the schema checks the text passed (validate.ts skips those).
 */
export function readYamlSource(
  file: string,
  cacheDir?: string,
): { source?: YamlSource; problems: ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { problems: [{ file, message: `cannot read this file (${reason})` }] };
  }
  if (cacheDir === undefined) return parseYamlSource(file, text);
  const key = parseKey(text);
  const cached = readParsed(cacheDir, key);
  if (cached !== undefined) {
    let parsed: YamlSource | undefined;
    const locate: YamlSource['locate'] = (path, anchor) => {
      parsed ??= parseYamlSource(file, text).source;
      return parsed === undefined ? { file, line: 1, col: 1 } : parsed.locate(path, anchor);
    };
    const { data, passed } = cached;
    const checks = {
      passed,
      remember: (check: string) =>
        writeParsed(cacheDir, key, data, [...passed, check].slice(-KEPT_CHECKS)),
    };
    return { source: { file, data, locate, checks }, problems: [] };
  }
  const read = parseYamlSource(file, text);
  if (read.source === undefined) return read;
  const { data } = read.source;
  writeParsed(cacheDir, key, data);
  const checks = {
    passed: [],
    remember: (check: string) => writeParsed(cacheDir, key, data, [check]),
  };
  return { source: { ...read.source, checks }, problems: read.problems };
}
