/**
 * Finds the top-level `"id"` of a JSON object that could not be parsed whole (invalid, or cut
 * because it was too large), so that the error reply can still carry the right id. Only a string
 * or number id right after the key counts; anything unclear yields null.
 */
import type { RequestId } from './jsonrpc.js';

const ID_VALUE = /^\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*")/;

export function sniffId(text: string): RequestId | null {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const close = findStringEnd(text, i + 1);
      if (close === -1) return null;
      if (depth === 1 && text.slice(i, close + 1) === '"id"') {
        const match = ID_VALUE.exec(text.slice(close + 1, close + 1 + 1024));
        if (match?.[1] !== undefined) return parseIdToken(match[1]);
      }
      i = close + 1;
      continue;
    }
    if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') depth -= 1;
    i += 1;
  }
  return null;
}

function findStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\') i += 1;
    else if (ch === '"') return i;
  }
  return -1;
}

function parseIdToken(token: string): RequestId | null {
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === 'string' || typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

const LAST_ID = /"id"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*")\s*\}\s*$/;

/**
 * The id of a message cut from its start: found only as the last member of the top-level object
 * (`…,"id":7}` at the very end of the line), which is where the MCP SDK writes it.
 */
export function sniffTrailingId(tail: string): RequestId | null {
  const match = LAST_ID.exec(tail);
  return match?.[1] === undefined ? null : parseIdToken(match[1]);
}
