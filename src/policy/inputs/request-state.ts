/**
 * The stateless era's `requestState` as mcp-guard hands it to the client (docs/policy.md, "Input
 * requests"). An `input_required` result asks the client for input (`inputRequests`) and gives it
 * an opaque `requestState` to echo in its retry, which carries the answers (`inputResponses`) on a
 * new request id. mcp-guard has to know, when the retry comes, which input requests the server
 * made — to fill in the answers it gave itself, and to drop answers to requests the server never
 * made — without keeping a table of open exchanges: so the `requestState` the client gets is
 * mcp-guard's own, sealed with a key of this process (HMAC-SHA256), and carries the server's
 * state, the method and subject of the request, and the methods the server asked for by key.
 * The retry's is opened and the server gets its own `requestState` back, byte for byte.
 *
 * A forged or altered state does not open; nothing in it is secret from the client (a client is
 * anyway not to read it): the seal only keeps the client from claiming requests the server never
 * made.
 *
 * A task of the tasks extension has no state to travel: its `tasks/get` shows what it asks, and
 * the client's `tasks/update` answers by the same keys, which the server keeps unique over the
 * task's life. So what each task asked is remembered here, by task id, for as long as the task is
 * among the last MAX_TASKS that asked (and up to MAX_TASK_KEYS keys each, the newest kept).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isObject } from '../../protocol/jsonrpc.js';
import { setOwn } from '../message.js';

/** What mcp-guard remembers of one `input_required` result, inside the state it hands out. */
export interface SealedState {
  /** The method of the request the result answered, and its tool, prompt or URI. */
  method: string;
  subject?: string;
  /** The method of each input request the server made, by its key. */
  asked: Record<string, string>;
  /** The server's own `requestState`, when it gave one. */
  state?: string;
}

export interface RequestStates {
  seal(sealed: SealedState): string;
  /** The sealed state, or undefined when `value` is no state this process sealed. */
  open(value: unknown): SealedState | undefined;
  /** A task asked for these (method by key), besides what it asked before. */
  remember(taskId: string, asked: Readonly<Record<string, string>>): void;
  /** What a task asked so far, as the state of its `tasks/update`; undefined if nothing. */
  recall(taskId: unknown): SealedState | undefined;
}

const PREFIX = 'mcp-guard.1.';
/** Tasks remembered; past this the one that asked longest ago is forgotten. */
export const MAX_TASKS = 1000;
/** Keys remembered per task; past this the oldest is forgotten. */
export const MAX_TASK_KEYS = 1000;

/** `key`: the secret of the seal (tests pass one; a process makes its own on first use). */
export function createRequestStates(key?: Buffer): RequestStates {
  const tasks = new Map<string, Map<string, string>>();
  let secret = key;
  const mac = (payload: string): Buffer => {
    secret ??= randomBytes(32);
    return createHmac('sha256', secret).update(payload).digest();
  };
  return {
    seal(sealed) {
      const body = {
        m: sealed.method,
        ...(sealed.subject === undefined ? {} : { n: sealed.subject }),
        k: sealed.asked,
        ...(sealed.state === undefined ? {} : { s: sealed.state }),
      };
      const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${PREFIX}${payload}.${mac(payload).toString('base64url')}`;
    },
    open(value) {
      if (typeof value !== 'string' || !value.startsWith(PREFIX)) return undefined;
      const rest = value.slice(PREFIX.length);
      const dot = rest.indexOf('.');
      if (dot < 0) return undefined;
      const payload = rest.slice(0, dot);
      const given = Buffer.from(rest.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return decode(payload);
    },
    remember(taskId, asked) {
      const known = tasks.get(taskId) ?? new Map<string, string>();
      tasks.delete(taskId);
      tasks.set(taskId, known);
      for (const [k, method] of Object.entries(asked)) {
        known.delete(k);
        known.set(k, method);
        if (known.size > MAX_TASK_KEYS) known.delete(known.keys().next().value as string);
      }
      if (tasks.size > MAX_TASKS) tasks.delete(tasks.keys().next().value as string);
    },
    recall(taskId) {
      const known = typeof taskId === 'string' ? tasks.get(taskId) : undefined;
      if (known === undefined) return undefined;
      const asked: Record<string, string> = {};
      for (const [k, method] of known) setOwn(asked, k, method);
      return { method: 'tasks/update', subject: taskId as string, asked };
    },
  };
}

function decode(payload: string): SealedState | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(body) || typeof body.m !== 'string' || !isObject(body.k)) return undefined;
  const asked: Record<string, string> = {};
  for (const [k, method] of Object.entries(body.k)) {
    if (typeof method !== 'string') return undefined;
    setOwn(asked, k, method);
  }
  return {
    method: body.m,
    ...(typeof body.n === 'string' ? { subject: body.n } : {}),
    asked,
    ...(typeof body.s === 'string' ? { state: body.s } : {}),
  };
}
