/**
 * What the fuzz test holds every line mcp-guard writes to the client to, whatever the server
 * sent (SPEC 6, docs/policy.md "What output means"): a JSON-RPC message of exactly one kind,
 * nested at most 128 levels, no denied tool in a tool list (also once invisible characters are
 * removed from its name) and no tool whose name is not a string, and no output string carrying an
 * invisible character or the canary secret — plain, base64 or hex, split across adjacent
 * values, or inside a base64 payload. Left as sent, as the policy leaves them: the envelope
 * (`jsonrpc`, `id`, `method`) and the tokens a client hands back unseen (`nextCursor`, `cursor`,
 * `progressToken`, `requestId`, `taskId`).
 */
import { isUtf8 } from 'node:buffer';
import { isJsonRpcMessage, type JsonObject } from './raw-client.js';

/** docs/policy.md: C0 and C1 controls but tab and newline, bidi, zero-width, tag characters, lone surrogate halves. */
const INVISIBLE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ud800-\udfff\ufeff\u{e0000}-\u{e007f}]/u;
const PLUMBING = new Set(['nextCursor', 'cursor', 'progressToken', 'requestId', 'taskId']);
const LABELS = new Set(['type', 'role', 'mimeType']);
const ENVELOPE = new Set(['jsonrpc', 'id', 'method']);
const MAX_DEPTH = 128;

export interface OutputRules {
  canary: string;
  /** A tool name the client must never be shown. */
  denied: (name: string) => boolean;
}

/** How deep `value` nests containers (the value itself is level 1), without recursion. */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The line parsed, or the problem with it as a line of a JSON-RPC stream. */
export function parseWireLine(bytes: Buffer): { message: JsonObject } | { problem: string } {
  if (!isUtf8(bytes)) return { problem: 'not valid UTF-8' };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { problem: 'not JSON' };
  }
  if (!isJsonRpcMessage(value)) return { problem: 'not a JSON-RPC 2.0 message' };
  const depth = depthOf(value);
  if (depth > MAX_DEPTH) return { problem: `nested ${depth} levels deep` };
  return { message: value as JsonObject };
}

/** The problems of one message the client received (none: it passed the output checks). */
export function outputProblems(message: JsonObject, rules: OutputRules): string[] {
  const problems: string[] = [];
  if ('method' in message && ('result' in message || 'error' in message))
    problems.push('a request or notification that also carries a result or an error');
  const texts: string[] = [];
  const see = (text: string, where: string, kind: 'text' | 'other') => {
    if (INVISIBLE.test(text))
      problems.push(`invisible character in ${where}: ${JSON.stringify(text).slice(0, 200)}`);
    if (leaksCanary(text, rules.canary)) problems.push(`canary in ${where}`);
    if (kind === 'text') texts.push(text);
  };
  const walk = (value: unknown, where: string): void => {
    if (typeof value === 'string') return see(value, where, 'text');
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${where}[${i}]`));
    const holder = value as JsonObject;
    for (const [key, item] of Object.entries(holder)) {
      const at = `${where}.${JSON.stringify(key)}`;
      see(key, `key ${at}`, 'other');
      if (typeof item !== 'string') walk(item, at);
      else if (PLUMBING.has(key)) continue;
      else if (isBinary(holder, key)) {
        if (Buffer.from(item, 'base64').toString('latin1').includes(rules.canary))
          problems.push(`canary in the bytes of ${at}`);
      } else see(item, at, LABELS.has(key) ? 'other' : 'text');
    }
  };
  for (const [key, value] of Object.entries(message)) {
    if (!ENVELOPE.has(key)) walk(value, key);
  }
  if (texts.join('').includes(rules.canary)) problems.push('canary split across adjacent values');
  const tools = (message.result as { tools?: unknown } | undefined)?.tools;
  if (Array.isArray(tools)) {
    for (const tool of tools as { name?: unknown }[]) {
      if (typeof tool?.name !== 'string')
        problems.push(`a tool whose name no rule can judge listed: ${JSON.stringify(tool)}`);
      else if (rules.denied(shownName(tool.name)))
        problems.push(`denied tool ${JSON.stringify(tool.name)} listed`);
    }
  }
  return [...new Set(problems)];
}

/** A name as a model reads it: invisible characters (which a client may not strip) removed. */
export function shownName(name: string): string {
  return name.replace(new RegExp(INVISIBLE.source, 'gu'), '');
}

function leaksCanary(text: string, canary: string): boolean {
  return (
    text.includes(canary) ||
    text.includes(Buffer.from(canary).toString('base64')) ||
    text.includes(Buffer.from(canary).toString('hex'))
  );
}

function isBinary(holder: JsonObject, key: string): boolean {
  if (key === 'blob') return true;
  return key === 'data' && (holder.type === 'image' || holder.type === 'audio');
}
