/**
 * The one operation the benchmark times: a `tools/call` of `echo` (server-everything's, or the
 * 2026-era rows' bench/echo-2026.mjs, which answers the same), checked
 * so that a refusal, a truncation or a wrong answer fails the target instead of being timed.
 */
import type { EchoClient } from './session.js';
import { performance } from 'node:perf_hooks';

/** The answer text server-everything's echo tool gives for `message`. */
export const ECHO_PREFIX = 'Echo: ';

/** Why: confirm the tool and its `message` argument exist before timing anything. */
export async function checkEchoTool(client: EchoClient): Promise<void> {
  const { tools } = await client.listTools();
  const tool = tools.find((candidate) => candidate.name === 'echo');
  if (tool === undefined) {
    throw new Error(`tools/list has no 'echo' (got ${tools.map((t) => t.name).join(', ')})`);
  }
  const properties = tool.inputSchema.properties ?? {};
  if (!Object.hasOwn(properties, 'message')) {
    throw new Error(
      `echo's inputSchema has no 'message' property: ${JSON.stringify(tool.inputSchema)}`,
    );
  }
}

/** Calls echo once and returns the round trip in milliseconds; throws on any unexpected answer. */
export async function timeEcho(
  client: EchoClient,
  message: string,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  const result = await client.callTool(
    { name: 'echo', arguments: { message } },
    { timeout: timeoutMs },
  );
  const elapsed = performance.now() - started;
  const content: unknown = result.content;
  const first: unknown = Array.isArray(content) ? content[0] : undefined;
  const text =
    typeof first === 'object' && first !== null && 'text' in first && typeof first.text === 'string'
      ? first.text
      : null;
  const expected = ECHO_PREFIX.length + message.length;
  const ok =
    result.isError !== true &&
    text !== null &&
    text.length === expected &&
    text.startsWith(ECHO_PREFIX) &&
    text.endsWith(message);
  if (!ok) {
    const got = text === null ? JSON.stringify(result).slice(0, 300) : text.slice(0, 300);
    const size = text === null ? '' : ` (${text.length} chars, expected ${expected})`;
    const flag = result.isError === true ? 'isError result' : 'unexpected echo answer';
    throw new Error(`${flag}${size}: ${got}`);
  }
  return elapsed;
}

/**
 * A message of `length` lowercase ASCII letters, pseudo-random but the same every run: no
 * spaces, slashes or capitals, so no secret-redaction pattern or path rule can match it.
 */
export function makePayload(length: number): string {
  const bytes = Buffer.allocUnsafe(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = 97 + ((state >>> 16) % 26);
  }
  return bytes.toString('latin1');
}
