/**
 * The path arguments of a request: strings under a name listed in `tools.pathArgs` for the tool
 * or a path-like name (argument-names.ts), at any depth, and strings elsewhere that look like a
 * path (path-candidate.ts), except under text names. A name's verdict carries into arrays under
 * it (`paths: [...]`); each object's own keys are judged again (`edits: [{path}]`). Iterative, so
 * deeply nested arguments cannot exhaust the stack; where an argument sits is spelled out only
 * when it is reported.
 */
import { isObject } from '../../protocol/jsonrpc.js';
import { nameKind, type NameKind } from './argument-names.js';
import type { PathFlavor } from './flavor.js';
import { isPathCandidate } from './path-candidate.js';

export interface PathArgument {
  /** The string as sent. */
  readonly value: string;
  /** Where it is, e.g. `paths[1]`, `edits[0].path` (computed on demand). */
  pointer(): string;
}

interface Node {
  value: unknown;
  key: string | number | undefined;
  parent: Node | undefined;
  kind: NameKind;
}

export function findPathArguments(
  args: unknown,
  extraNames: ReadonlySet<string>,
  flavor: PathFlavor,
): PathArgument[] {
  const found: PathArgument[] = [];
  const stack: Node[] = [{ value: args, key: undefined, parent: undefined, kind: 'free' }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const { value } = node;
    if (typeof value === 'string') {
      if (node.kind === 'path' || (node.kind === 'free' && isPathCandidate(value, flavor)))
        found.push(argumentAt(node, value));
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1)
        stack.push({ value: value[index], key: index, parent: node, kind: node.kind });
    } else if (isObject(value)) {
      const entries = Object.entries(value);
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const [key, child] = entries[index]!;
        const kind = extraNames.has(key) ? 'path' : nameKind(key);
        stack.push({ value: child, key, parent: node, kind });
      }
    }
  }
  return found;
}

function argumentAt(node: Node, value: string): PathArgument {
  return { value, pointer: () => pointerOf(node) };
}

function pointerOf(node: Node): string {
  const keys: (string | number)[] = [];
  for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) keys.push(at.key);
  let text = '';
  for (const key of keys.reverse()) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text === '' ? '(arguments)' : text;
}
