/**
 * Reading a client's config file: parsed as that client parses it (strict JSON, or VS Code's JSONC
 * with comments and trailing commas), with the position of every value kept, so a problem names
 * its file, line and entry, and `install` can edit the text in place. Both entry shapes Cline
 * accepts are read: flat (`command`, `args`, `env`, `cwd`, `url`, …) and nested
 * (`transport: {type, command, args, cwd, env}`).
 */
import { readFileSync } from 'node:fs';
import {
  type JSONPath,
  type Node,
  type ParseError,
  findNodeAtLocation,
  getNodeValue,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import { type ConfigProblem, GuardError } from '../errors.js';
import type { ClientLocation } from './client-paths.js';

/** One server entry of a client file, as the client would launch it. */
export interface ClientEntry {
  /** Its key in the file (kept as is: allowlists match it). */
  name: string;
  /** The JSON path of the object that holds command, args, env and cwd (the entry or its transport). */
  at: JSONPath;
  /** A remote (url) entry: mcp-guard guards stdio servers only. */
  url?: string;
  command?: string;
  /** Present in the file (an entry without `args` is launched with none). */
  args?: string[];
  cwd?: string;
  env: Record<string, string>;
  /** VS Code and Cursor: a file of NAME=value lines the client adds to the environment. */
  envFile?: string;
  disabled: boolean;
  line: number;
}

export interface ClientFile {
  location: ClientLocation;
  text: string;
  /** The parsed text; null for an empty file. */
  tree: Node | null;
  /** The JSON path of the server list (`mcpServers` or `servers`). */
  listPath: JSONPath;
  entries: ClientEntry[];
}

/** 1-based line and column of an offset. */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

function invalid(file: string, problems: ConfigProblem[]): GuardError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new GuardError('ERR_CONFIG_INVALID', `${file}: ${count}; nothing was changed`, {
    problems,
  });
}

/** Why: parse errors as the client would see them, each with its position. */
export function parseClientText(location: ClientLocation, text: string): ClientFile {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, {
    disallowComments: !location.jsonc,
    allowTrailingComma: location.jsonc,
    allowEmptyContent: true,
  });
  const file = location.path;
  if (errors.length > 0) {
    throw invalid(
      file,
      errors.map((error) => ({
        file,
        ...positionOf(text, error.offset),
        message: describeParseError(printParseErrorCode(error.error), location.jsonc),
      })),
    );
  }
  const listKey = location.shape === 'vscode' ? 'servers' : 'mcpServers';
  const listPath = [listKey];
  if (tree !== undefined && tree.type !== 'object') {
    throw invalid(file, [{ file, line: 1, col: 1, message: 'expected a JSON object' }]);
  }
  const list = tree === undefined ? undefined : findNodeAtLocation(tree, listPath);
  const problems: ConfigProblem[] = [];
  const entries: ClientEntry[] = [];
  if (list !== undefined && list.type !== 'object') {
    problems.push({
      file,
      ...positionOf(text, list.offset),
      key: listKey,
      message: 'expected an object of servers',
    });
  }
  for (const property of list?.type === 'object' ? (list.children ?? []) : []) {
    const [keyNode, valueNode] = property.children ?? [];
    if (keyNode === undefined || valueNode === undefined) continue;
    const name = String(keyNode.value);
    const entry = readEntry(name, valueNode, [listKey, name], text, file, problems);
    if (entry !== undefined) entries.push(entry);
  }
  if (problems.length > 0) throw invalid(file, problems);
  return { location, text, tree: tree ?? null, listPath, entries };
}

function describeParseError(code: string, jsonc: boolean): string {
  switch (code) {
    case 'InvalidCommentToken':
      return jsonc ? 'malformed comment' : 'comments are not allowed in this file (strict JSON)';
    case 'PropertyNameExpected':
    case 'ValueExpected':
      return `${code === 'ValueExpected' ? 'a value' : 'a property name'} expected (a trailing comma, or a comment, is not JSON)`;
    default:
      return `invalid JSON (${code})`;
  }
}

/** Why: reads a client's file from disk; a missing file is null. */
export function readClientFile(location: ClientLocation): ClientFile | null {
  let text: string;
  try {
    text = readFileSync(location.path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new GuardError(
      'ERR_CONFIG_INVALID',
      `cannot read ${location.path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return parseClientText(location, text);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function readEntry(
  name: string,
  node: Node,
  path: JSONPath,
  text: string,
  file: string,
  problems: ConfigProblem[],
): ClientEntry | undefined {
  const where = { file, ...positionOf(text, node.offset), key: `${path.join('.')}` };
  const fail = (message: string): undefined => {
    problems.push({ ...where, message: `server '${name}': ${message}` });
    return undefined;
  };
  const value: unknown = getNodeValue(node);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('expected an object');
  }
  const outer = value as Record<string, unknown>;
  const nested = typeof outer['transport'] === 'object' && outer['transport'] !== null;
  const body = (nested ? outer['transport'] : outer) as Record<string, unknown>;
  const at = nested ? [...path, 'transport'] : path;
  const url = body['url'] ?? body['serverUrl'];
  const command = body['command'];
  if (command === undefined && url === undefined) {
    return fail('has neither `command` (a local server) nor `url` (a remote one)');
  }
  const disabled = outer['disabled'] === true;
  const base = { name, at, env: {}, disabled, line: where.line };
  if (command === undefined) {
    if (typeof url !== 'string') return fail('`url` must be a string');
    return { ...base, url };
  }
  if (typeof command !== 'string' || command === '')
    return fail('`command` must be a non-empty string');
  const args = body['args'];
  if (args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string'))) {
    return fail('`args` must be an array of strings');
  }
  const env = body['env'] ?? {};
  if (!isStringRecord(env)) return fail('`env` must be an object of strings');
  const cwd = body['cwd'];
  if (cwd !== undefined && typeof cwd !== 'string') return fail('`cwd` must be a string');
  const envFile = body['envFile'];
  if (envFile !== undefined && typeof envFile !== 'string')
    return fail('`envFile` must be a string');
  return {
    ...base,
    command,
    env,
    ...(args === undefined ? {} : { args: args }),
    ...(cwd === undefined ? {} : { cwd }),
    ...(envFile === undefined ? {} : { envFile }),
  };
}
