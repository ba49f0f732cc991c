/**
 * A line must mean one thing to every JSON parser, because mcp-guard forwards the bytes it
 * received when no check changed the message: what the peer reads must be what was checked.
 * JSON.parse keeps the last of two equal keys, where other parsers keep the first (or fail); a
 * `__proto__` key is an own member to JSON.parse but a prototype to JavaScript code that copies
 * with assignment (`Object.assign`, hand-written parsers); a key holding a lone surrogate escape
 * turns into U+FFFD in some decoders, where two such keys become one. A line with any of these is
 * refused where it is parsed.
 *
 * Cheaply, on every line: one scan of the text counts its string tokens (two unescaped quotes
 * each, found with indexOf), and the walk that bounds the depth (depth.ts) counts the keys and
 * string values JSON.parse kept. A repeated key is the only way the text can hold more strings
 * than the value: whatever the dropped member held is missing from the walk. Only a line whose
 * text has a surrogate escape at all (`\uD8…`–`\uDF…`, rare) has its keys looked at one by one.
 */
import type { Shape } from './depth.js';

/** The strings (keys and values) of a JSON text: its unescaped quotes, halved. */
export function countStrings(text: string): number {
  let quotes = 0;
  for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', at + 1)) {
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === 0x5c) slashes += 1;
    if (slashes % 2 === 0) quotes += 1;
  }
  return quotes / 2;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** Why `text` (parsed into a value of this shape) could be read two ways, if it could. */
export function secondReading(text: string, value: unknown, shape: Shape): string | undefined {
  if (shape.proto) return 'a "__proto__" key, which JavaScript peers may take for a prototype';
  if (countStrings(text) !== shape.strings) {
    return 'a key repeated in one object, which parsers read two ways (the first or the last)';
  }
  if (SURROGATE_ESCAPE.test(text) && hasLoneSurrogateKey(value)) {
    return 'a key with a lone surrogate escape, which decoders read two ways';
  }
  return undefined;
}

/** Whether any key, at any depth, holds a lone surrogate (depth is already bounded). */
function hasLoneSurrogateKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (LONE_SURROGATE.test(key)) return true;
      stack.push(child);
    }
  }
  return false;
}
