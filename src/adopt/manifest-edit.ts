/**
 * Adding imported servers to a manifest's text without disturbing what is there: the yaml
 * package's Document API keeps comments, key order and the user's formatting of everything
 * untouched; a server already in the manifest is left as it is. Pure (text in, text out).
 */
import {
  Document,
  type YAMLMap,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  stringify,
  visit,
} from 'yaml';
import { GuardError } from '../errors.js';
import type { ServerDraft } from './to-manifest.js';

/** Lists written on one line, as people write them. */
const FLOW = new Set(['args', 'roots']);

/** Why: `args` and `roots` on one line each, as people write them. */
function flowLists(doc: Document): void {
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && FLOW.has(String(pair.key.value)) && isSeq(pair.value)) {
        pair.value.flow = true;
      }
    },
  });
}

/** A server as YAML data (flow sequences for args, as people write them). */
function serverYaml(server: ServerDraft): unknown {
  return {
    command: server.command,
    args: server.args,
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
    ...(server.env === undefined ? {} : { env: server.env }),
    ...(server.paths === undefined ? {} : { paths: server.paths }),
  };
}

export interface ManifestAddition {
  text: string;
  added: string[];
  /** Names already in the manifest, left as they were. */
  kept: string[];
}

/** The servers as YAML text (args as flow sequences), each line indented by `indent` spaces. */
function serversText(servers: Readonly<Record<string, ServerDraft>>, indent: number): string {
  const doc = new Document(
    Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, serverYaml(server)])),
  );
  flowLists(doc);
  const body = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  return body.replace(/^(?=.)/gm, ' '.repeat(indent));
}

/** Where a block mapping's last entry ends (the start of the line after it) and its key column. */
function appendPoint(text: string, list: YAMLMap): { at: number; indent: number } | null {
  const first = list.items[0];
  const last = list.items.at(-1);
  const keyStart = (first?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
  const valueEnd = ((last?.value ?? last?.key) as { range?: [number, number, number] } | undefined)
    ?.range?.[1];
  if (list.flow === true || keyStart === undefined || valueEnd === undefined) return null;
  const indent = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  if (text[valueEnd - 1] === '\n') return { at: valueEnd, indent };
  const newline = text.indexOf('\n', valueEnd);
  return { at: newline === -1 ? text.length : newline + 1, indent };
}

/**
 * Why: `servers:` with no servers yet (`{}`, empty, `null`) on a line of its own, as `init`'s
 * starter ends: that line is replaced as text, so the comments around it stay where they are
 * (the Document API would re-indent the comments after it). Null for any other shape.
 */
function emptyServersLine(
  text: string,
  doc: Document,
): { start: number; end: number; comment: string } | null {
  const contents = doc.contents;
  if (!isMap(contents)) return null;
  const pair = contents.items.find((item) => isScalar(item.key) && item.key.value === 'servers');
  const keyRange = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
  if (keyRange === undefined) return null;
  const start = keyRange[0];
  if (start !== text.lastIndexOf('\n', start - 1) + 1) return null;
  const newline = text.indexOf('\n', start);
  const end = newline === -1 ? text.length : newline + 1;
  const line = /^servers[ \t]*:[ \t]*(?:\{[ \t]*\}|null|~)?[ \t]*(#.*)?\r?\n?$/.exec(
    text.slice(start, end),
  );
  if (line === null) return null;
  return { start, end, comment: line[1] === undefined ? '' : ` ${line[1]}` };
}

/**
 * Why: `import --write` and `install` add servers; an existing server of that name wins. The new
 * servers are appended as text after the last one, so every byte already there stays; only an
 * empty or flow-style `servers` is rewritten through the Document API (comments still kept).
 */
export function addServers(
  file: string,
  text: string,
  servers: Readonly<Record<string, ServerDraft>>,
): ManifestAddition {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new GuardError('ERR_CONFIG_INVALID', `${file}: ${doc.errors[0]!.message}`);
  }
  const list = doc.get('servers', true);
  const empty = list === undefined || list === null || (isScalar(list) && list.value === null);
  if (!empty && !isMap(list)) {
    throw new GuardError('ERR_CONFIG_INVALID', `${file}: \`servers\` is not a mapping`);
  }
  const kept = Object.keys(servers).filter((name) => isMap(list) && list.has(name));
  const fresh = Object.fromEntries(
    Object.entries(servers).filter(([name]) => !kept.includes(name)),
  );
  const added = Object.keys(fresh);
  if (added.length === 0) return { text, added, kept };
  const point = isMap(list) && list.items.length > 0 ? appendPoint(text, list) : null;
  if (point !== null) {
    const prefix = point.at === text.length && !text.endsWith('\n') ? '\n' : '';
    const insert = prefix + serversText(fresh, point.indent);
    return { text: text.slice(0, point.at) + insert + text.slice(point.at), added, kept };
  }
  const emptied = emptyServersLine(text, doc);
  if (emptied !== null) {
    const head = `${text.slice(0, emptied.start)}servers:${emptied.comment}\n`;
    return { text: head + serversText(fresh, 2) + text.slice(emptied.end), added, kept };
  }
  const merged = isMap(list) ? (list.toJSON() as Record<string, unknown>) : {};
  for (const [name, server] of Object.entries(fresh)) merged[name] = serverYaml(server);
  doc.set('servers', doc.createNode(merged));
  const node = doc.get('servers', true);
  if (isMap(node)) node.flow = false;
  flowLists(doc);
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), added, kept };
}

/** Why: `import` prints the servers alone, as a `servers:` block to paste. */
export function serversYaml(servers: Readonly<Record<string, ServerDraft>>): string {
  const data = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [name, serverYaml(server)]),
  );
  return stringify({ servers: data }, { lineWidth: 0 });
}
