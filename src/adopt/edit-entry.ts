/**
 * Surgical edits of a client file's text: only the `command` and `args` values of an entry change
 * (jsonc-parser's modify/applyEdits for an inserted or removed key, so VS Code's comments and
 * everything else stay byte for byte); a new `args` array is written in the style of the one it
 * replaces (one line, or one item a line at its indentation). Pure.
 */
import {
  type FormattingOptions,
  type JSONPath,
  type Node,
  applyEdits,
  findNodeAtLocation,
  modify,
  parseTree,
} from 'jsonc-parser';

/** The file's own indentation and line ends, for the text jsonc-parser writes. */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indents = [...text.matchAll(/\n([ \t]+)\S/g)].map((m) => m[1]!);
  const tabs = indents.some((indent) => indent.startsWith('\t'));
  const spaces = indents.filter((i) => !i.startsWith('\t')).map((i) => i.length);
  return {
    insertSpaces: !tabs,
    tabSize: spaces.length === 0 ? 2 : Math.min(...spaces),
    eol,
  };
}

function nodeAt(text: string, path: JSONPath): Node | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  return tree === undefined ? undefined : findNodeAtLocation(tree, path);
}

function splice(text: string, node: Node, replacement: string): string {
  return text.slice(0, node.offset) + replacement + text.slice(node.offset + node.length);
}

/** A string array as JSON, shaped like `like` (the text of the array it replaces), if any. */
export function renderArray(
  items: readonly string[],
  like: string | undefined,
  text: string,
  offset: number,
): string {
  const json = items.map((item) => JSON.stringify(item));
  if (like === undefined || !like.includes('\n')) return `[${json.join(', ')}]`;
  const eol = like.includes('\r\n') ? '\r\n' : '\n';
  const itemIndent = /\n([ \t]*)\S/.exec(like)?.[1] ?? '';
  const lineStart = text.lastIndexOf('\n', offset) + 1;
  const closeIndent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
  if (json.length === 0) return '[]';
  return `[${eol}${json.map((j) => itemIndent + j).join(`,${eol}`)}${eol}${closeIndent}]`;
}

/** Why: the new text with the entry's command and args replaced (`args` added when absent). */
export function setCommand(
  text: string,
  at: JSONPath,
  command: string,
  args: readonly string[],
): string {
  const commandNode = nodeAt(text, [...at, 'command']);
  if (commandNode === undefined) throw new Error(`no command at ${at.join('.')}`);
  let next = splice(text, commandNode, JSON.stringify(command));
  const argsNode = nodeAt(next, [...at, 'args']);
  if (argsNode !== undefined) {
    const like = next.slice(argsNode.offset, argsNode.offset + argsNode.length);
    return splice(next, argsNode, renderArray(args, like, next, argsNode.offset));
  }
  next = applyEdits(
    next,
    modify(next, [...at, 'args'], [...args], {
      formattingOptions: formattingOf(text),
      getInsertionIndex: (keys) => keys.indexOf('command') + 1,
    }),
  );
  return next;
}

/** Why: uninstall puts back the exact text of the original values (or removes an added `args`). */
export function restoreCommand(
  text: string,
  at: JSONPath,
  commandText: string,
  argsText: string | undefined,
): string {
  const commandNode = nodeAt(text, [...at, 'command']);
  if (commandNode === undefined) throw new Error(`no command at ${at.join('.')}`);
  let next = splice(text, commandNode, commandText);
  const argsNode = nodeAt(next, [...at, 'args']);
  if (argsText === undefined) {
    if (argsNode === undefined) return next;
    return applyEdits(
      next,
      modify(next, [...at, 'args'], undefined, { formattingOptions: formattingOf(text) }),
    );
  }
  if (argsNode !== undefined) return splice(next, argsNode, argsText);
  next = applyEdits(
    next,
    modify(next, [...at, 'args'], [], {
      formattingOptions: formattingOf(text),
      getInsertionIndex: (keys) => keys.indexOf('command') + 1,
    }),
  );
  const inserted = nodeAt(next, [...at, 'args'])!;
  return splice(next, inserted, argsText);
}

/** The raw text of a value in a file, if present. */
export function valueText(text: string, path: JSONPath): string | undefined {
  const node = nodeAt(text, path);
  return node === undefined ? undefined : text.slice(node.offset, node.offset + node.length);
}

/** Why: a string array for the value at `path`, in the style of the array there now (if any). */
export function arrayFor(text: string, path: JSONPath, items: readonly string[]): string {
  const node = nodeAt(text, path);
  if (node === undefined) return renderArray(items, undefined, text, 0);
  const like = text.slice(node.offset, node.offset + node.length);
  return renderArray(items, like, text, node.offset);
}
