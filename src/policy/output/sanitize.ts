/**
 * `output.stripControl` and `output.redact` (SPEC 6.6) on everything the server sends the
 * client: results (tool output, resource text, prompt messages, `structuredContent`, the server's
 * `instructions`), descriptions and titles in list results (input and output schemas included),
 * error messages, and the text of the server's own requests and notifications (sampling
 * messages, elicitation prompts, log messages, progress messages). Nothing else changes, and a
 * message with nothing to clean passes as the server wrote it.
 */
import type { RpcMessage } from '../../protocol/jsonrpc.js';
import { isObject } from '../../protocol/jsonrpc.js';
import type { PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';
import { cleanDeep, type Clean } from './clean-text.js';
import { createRedactor } from './redact.js';
import { stripControl } from './strip-control.js';

export function createSanitizeCheck(output: {
  stripControl: boolean;
  redact: readonly string[];
}): PolicyCheck | undefined {
  const redact = createRedactor(output.redact);
  const strip = output.stripControl;
  if (!strip && redact === undefined) return undefined;
  const clean: Clean =
    redact === undefined ? stripControl : strip ? (text) => redact(stripControl(text)) : redact;
  return {
    name: 'sanitize',
    check(message, context): Verdict {
      if (context.direction !== 'server-to-client') return PASS;
      const next = cleanMessage(message, clean);
      return next === message ? PASS : { action: 'rewrite', message: next };
    },
  };
}

function cleanMessage(message: RpcMessage, clean: Clean): RpcMessage {
  switch (message.kind) {
    case 'response': {
      const result = cleanDeep(message.result, clean);
      return result === message.result
        ? message
        : { ...message, result, body: { ...message.body, result } };
    }
    case 'error': {
      const error = cleanDeep(message.error, clean) as typeof message.error;
      return error === message.error
        ? message
        : { ...message, error, body: { ...message.body, error } };
    }
    case 'request':
    case 'notification': {
      const params = message.params;
      let next: unknown;
      if (message.method === 'notifications/message' && isObject(params)) {
        const data = cleanDeep(params.data, clean, true);
        next = data === params.data ? params : { ...params, data };
      } else {
        next = cleanDeep(params, clean);
      }
      if (next === params) return message;
      const cleaned = next as typeof params;
      return { ...message, params: cleaned, body: { ...message.body, params: cleaned } };
    }
  }
}
