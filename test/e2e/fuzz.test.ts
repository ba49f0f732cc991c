/**
 * Fuzz (issue 10's "Done when"): random and adversarial frames from both sides through the built
 * CLI. The client side is this test, writing batches of hostile lines (odd ids, wrong params
 * shapes, denied tools, nesting at and past 128 levels, lines at and over maxMessageBytes, junk
 * bytes, batches, messages that are two things at once, odd Unicode) cut into random chunks; the
 * server side is test/fixtures/fuzz-server.mjs, which surrounds every reply with hostile frames of
 * its own. Held after every line: nothing unchecked reaches the client (test/helpers/
 * fuzz-checks.ts); every client request gets exactly one answer, and the ones whose answer the
 * policy decides get that answer; a probe `ping` after each batch is answered `{}`. At the end
 * mcp-guard exits 0, what reached the server had passed the checks, and the audit log holds no
 * canary and matches its catalogue.
 *
 * Seeded: a failure names its seed, and MCP_GUARD_FUZZ_SEED=N replays it. MCP_GUARD_FUZZ_BATCHES
 * (default 30) and MCP_GUARD_FUZZ_MS (default 20000, a budget of work, not an assertion) make
 * longer runs.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { outputProblems, parseWireLine, shownName } from '../helpers/fuzz-checks.js';
import { guardFixture, rawThrough } from '../helpers/guarded.js';
import { FIXTURES } from '../helpers/paths.js';
import { testDir } from '../helpers/processes.js';
import type { JsonObject, RawChild } from '../helpers/raw-client.js';

const SEED = Number(process.env.MCP_GUARD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const BATCHES = Number(process.env.MCP_GUARD_FUZZ_BATCHES ?? 30);
const BUDGET_MS = Number(process.env.MCP_GUARD_FUZZ_MS ?? 20_000);
const MAX_MESSAGE_BYTES = 2 ** 20;
const STEP_MS = 20_000;
const PARAMS_ERROR = ErrorCode.InvalidParams;
const INVALID_REQUEST = ErrorCode.InvalidRequest;
const TOO_LARGE = ErrorCode.MessageTooLarge;
const DENIED = ErrorCode.PolicyDenied;

type Id = string | number;

interface Random {
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  between(low: number, high: number): number;
}
interface Frames {
  CANARY: string;
  DENIED_TOOL: string;
  ALLOWED_TOOL: string;
  CONTROLS: string[];
  createRandom(seed: number): Random;
  oddString(r: Random, options?: { secrets?: boolean }): string;
  randomValue(r: Random, depth?: number, options?: { secrets?: boolean }): unknown;
  deepRequest(id: Id, method: string, depth: number, objects: boolean): Buffer;
  oddId(r: Random, n: number): string | number;
  line(value: unknown): Buffer;
  junkLine(r: Random, id: unknown): Buffer;
}
const loadFrames = async (): Promise<Frames> =>
  (await import(pathToFileURL(join(FIXTURES, 'lib', 'fuzz-frames.mjs')).href)) as Frames;

const key = (id: Id) => (typeof id === 'number' ? `n${id}` : `s${id}`);

/** A line for mcp-guard's stdin, and what its answer must be. */
interface ClientFrame {
  bytes: Buffer;
  /** answer: exactly one reply with its id; maybe: at most one (or one with id null). */
  expect: 'answer' | 'maybe' | 'none';
  id?: Id;
  /** The problem with its answer, if any (for answers the policy decides). */
  check?: (reply: JsonObject) => string | undefined;
}

const expectError =
  (code: number, rule?: string) =>
  (reply: JsonObject): string | undefined => {
    const error = reply.error as { code?: number; data?: { rule?: string } } | undefined;
    if (error?.code === code && (rule === undefined || error.data?.rule === rule)) return undefined;
    return `expected error ${code}${rule ? ` (rule ${rule})` : ''}`;
  };
const expectBlocked = (reply: JsonObject): string | undefined => {
  const result = reply.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  const text = result?.content?.[0]?.text ?? '';
  return result?.isError === true && text.startsWith('Blocked by mcp-guard:')
    ? undefined
    : 'expected a Blocked by mcp-guard result';
};
/**
 * A client message nested at most 128 levels deep and at most maxMessageBytes long is not refused
 * as a line (the server's reply to it may be: that refusal names the server's response).
 */
const notFramingRefused = (reply: JsonObject): string | undefined => {
  const error = reply.error as { message?: string; data?: { rule?: string } } | undefined;
  if (error?.data?.rule !== 'framing') return undefined;
  return error.message?.startsWith("mcp-guard: the server's response")
    ? undefined
    : 'refused as if it were too deep or too large';
};

function clientFrame(F: Frames, r: Random, n: number): ClientFrame {
  const id = F.oddId(r, n);
  const request = (
    method: string,
    params?: unknown,
    check?: ClientFrame['check'],
  ): ClientFrame => ({
    bytes: F.line({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }),
    expect: 'answer',
    id,
    ...(check ? { check } : {}),
  });
  const plain = { secrets: false };
  switch (r.int(16)) {
    case 0:
      return request('ping');
    case 1:
      return request('tools/list', r.chance(0.5) ? { cursor: F.oddString(r, plain) } : undefined);
    case 2:
      return request('tools/call', {
        name: F.ALLOWED_TOOL,
        arguments: { a: F.randomValue(r, 2, plain) },
      });
    case 3: {
      const name = r.pick([
        F.DENIED_TOOL,
        `${F.DENIED_TOOL}_2`,
        `${F.DENIED_TOOL}\u202e`,
        `\u202e${F.DENIED_TOOL}`,
        `\u200b${F.DENIED_TOOL}`,
        `${F.DENIED_TOOL.slice(0, 4)}\u200b${F.DENIED_TOOL.slice(4)}`,
      ]);
      return request('tools/call', { name, arguments: {} }, expectBlocked);
    }
    case 4: {
      const name = r.pick<unknown>([[F.DENIED_TOOL], { name: F.DENIED_TOOL }, 42, null, true]);
      return request('tools/call', { name, arguments: {} }, expectError(PARAMS_ERROR, 'params'));
    }
    case 5: {
      const uri = r.pick<unknown>([42, ['file:///etc/passwd'], { href: 'file:///etc/passwd' }]);
      return request('resources/read', { uri }, expectError(PARAMS_ERROR, 'params'));
    }
    case 6:
      return request('resources/read', { uri: 'file:///etc/passwd' }, expectError(DENIED));
    case 7: {
      const method = r.pick([
        'prompts/get',
        'prompts/list',
        'resources/list',
        'completion/complete',
        'logging/setLevel',
        'x/unknown',
      ]);
      return request(method, r.chance(0.8) ? F.randomValue(r, 3, plain) : undefined);
    }
    case 8: {
      const depth = r.pick([126, 127, 128, 129, 130, 1000, 100_000]);
      return {
        bytes: F.deepRequest(id, 'x/deep', depth, r.chance(0.5)),
        expect: 'answer',
        id,
        check: depth > 128 ? expectError(INVALID_REQUEST) : notFramingRefused,
      };
    }
    case 9: {
      const size = r.pick([300_000, MAX_MESSAGE_BYTES - 200, MAX_MESSAGE_BYTES + 1, 1_500_000]);
      const frame = request('x/big', { data: '' });
      const filler = 'é'.repeat(Math.max(0, Math.floor((size - frame.bytes.length) / 2)));
      const big = request('x/big', { data: filler });
      const over = big.bytes.length > MAX_MESSAGE_BYTES;
      return { ...big, check: over ? expectError(TOO_LARGE) : notFramingRefused };
    }
    case 10:
      return { bytes: F.junkLine(r, id), expect: 'maybe', id };
    case 11: {
      const bad = r.pick<unknown>([null, true, false, {}, [1]]);
      return { bytes: F.line({ jsonrpc: '2.0', id: bad, method: 'ping' }), expect: 'none' };
    }
    case 12: {
      const method = r.pick([
        'notifications/initialized',
        'notifications/roots/list_changed',
        'notifications/cancelled',
        F.oddString(r, plain),
      ]);
      const params = r.chance(0.5)
        ? { requestId: `nobody-${n}`, reason: F.oddString(r, plain) }
        : F.randomValue(r, 2, plain);
      return { bytes: F.line({ jsonrpc: '2.0', method, params }), expect: 'none' };
    }
    case 13:
      return {
        bytes: F.line({ jsonrpc: '2.0', id: `nobody-${n}`, result: F.randomValue(r, 2, plain) }),
        expect: 'none',
      };
    case 14:
      return {
        bytes: F.line({ jsonrpc: '2.0', id, method: 'ping', result: {} }),
        expect: 'maybe',
        id,
      };
    default:
      return request(F.oddString(r, plain).slice(0, 40) || 'x', F.randomValue(r, 2, plain));
  }
}

/** The client's half of the session: what it sent, what it may still be answered, and checks. */
class Ledger {
  readonly outstanding = new Map<string, ClientFrame>();
  readonly maybe = new Map<string, ClientFrame>();
  readonly answered = new Set<string>();
  readonly serverRequests: JsonObject[] = [];

  constructor(
    readonly F: Frames,
    readonly fail: (problem: string, line: string) => never,
  ) {}

  sent(frame: ClientFrame): void {
    if (frame.id === undefined) return;
    if (frame.expect === 'answer') this.outstanding.set(key(frame.id), frame);
    else if (frame.expect === 'maybe') this.maybe.set(key(frame.id), frame);
  }

  receive(bytes: Buffer): void {
    const shown = bytes.toString('utf8', 0, 400);
    const parsed = parseWireLine(bytes);
    if ('problem' in parsed) this.fail(parsed.problem, shown);
    const message = parsed.message;
    const problems = outputProblems(message, {
      canary: this.F.CANARY,
      denied: (name) => name.startsWith('forbidden_'),
    });
    if (problems.length > 0) this.fail(problems.join('; '), shown);
    if ('method' in message) {
      if ('id' in message) this.serverRequests.push(message);
      return;
    }
    if (message.id === null) return;
    const id = key(message.id as Id);
    const frame = this.outstanding.get(id) ?? this.maybe.get(id);
    if (frame === undefined) {
      this.fail(this.answered.has(id) ? 'a second answer' : 'an answer to an id never sent', shown);
    }
    this.outstanding.delete(id);
    this.maybe.delete(id);
    this.answered.add(id);
    const problem = frame.check?.(message);
    if (problem !== undefined)
      this.fail(`${problem}, for ${frame.bytes.toString('utf8', 0, 200)}`, shown);
  }
}

/** The client's replies to the server's requests it saw: some right, some wrong, some never. */
function answerServer(F: Frames, r: Random, requests: JsonObject[]): Buffer[] {
  const lines = requests.splice(0).flatMap((request) => {
    if (r.chance(0.3)) return [];
    const id = r.chance(0.8) ? request.id : `${String(request.id)}x`;
    const body = r.chance(0.7)
      ? { result: F.randomValue(r, 2, { secrets: false }) }
      : { error: { code: -1, message: 'no' } };
    return [F.line({ jsonrpc: '2.0', id, ...body })];
  });
  return lines;
}

/** Writes the lines as one stream cut at random byte offsets (framing across chunks). */
function writeChunked(raw: RawChild, r: Random, lines: Buffer[]): void {
  const stream = Buffer.concat(lines.flatMap((bytes) => [bytes, Buffer.from('\n')]));
  let at = 0;
  while (at < stream.length) {
    const size = r.chance(0.5) ? r.between(1, 64) : r.between(1, stream.length);
    raw.write(stream.subarray(at, at + size));
    at += size;
  }
}

void test(
  'fuzz: hostile frames from both sides never crash or stall mcp-guard, and nothing unchecked reaches either side',
  { timeout: 240_000 },
  async (t) => {
    t.diagnostic(`seed ${SEED} (replay: MCP_GUARD_FUZZ_SEED=${SEED})`);
    const F = await loadFrames();
    const r = F.createRandom(SEED);
    const dir = await testDir(t);
    const guarded = guardFixture(dir, 'fuzz-server', [], {
      env: {
        FUZZ_SEED: String(SEED),
        FUZZ_BIG_BYTES: String(MAX_MESSAGE_BYTES + 1),
      },
      entry: {
        tools: { deny: ['forbidden_*'] },
        limits: { maxMessageBytes: MAX_MESSAGE_BYTES },
        output: { maxResultBytes: 256 * 1024 },
      },
    });
    const { raw, close } = await rawThrough(t, guarded);
    const replay: (problem: string, line?: string) => never = (problem, line = '') => {
      throw new Error(
        `fuzz seed ${SEED} (replay: MCP_GUARD_FUZZ_SEED=${SEED}): ${problem}` +
          `${line ? `\nline: ${line}` : ''}\nstderr:\n${raw.stderr().slice(-4000)}`,
      );
    };
    const ledger = new Ledger(F, replay);
    const next = () =>
      raw.nextRawLine(STEP_MS).then(
        (bytes) => ledger.receive(bytes),
        (error: Error) => replay(error.message),
      );
    const until = async (done: () => boolean) => {
      while (!done()) await next();
    };

    const init = {
      protocolVersion: '2025-06-18',
      capabilities: { sampling: {}, elicitation: {}, roots: {} },
      clientInfo: { name: 'fuzz', version: '0' },
    };
    const start: ClientFrame = {
      bytes: F.line({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: init }),
      expect: 'answer',
      id: 'init',
      check: (reply) => ('result' in reply ? undefined : 'initialize failed'),
    };
    ledger.sent(start);
    raw.write(Buffer.concat([start.bytes, Buffer.from('\n')]));
    await until(() => ledger.answered.has(key('init')));
    raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });

    const started = Date.now();
    let n = 0;
    let batch = 0;
    for (; batch < BATCHES && Date.now() - started < BUDGET_MS; batch++) {
      const frames: ClientFrame[] = [];
      for (let count = r.between(8, 20); count > 0; count--) frames.push(clientFrame(F, r, ++n));
      frames.forEach((frame) => ledger.sent(frame));
      const lines = [
        ...frames.map((frame) => frame.bytes),
        ...answerServer(F, r, ledger.serverRequests),
      ];
      writeChunked(raw, r, lines);
      await until(() => ledger.outstanding.size === 0);
      const probe: ClientFrame = {
        bytes: F.line({ jsonrpc: '2.0', id: `probe-${batch}`, method: 'ping' }),
        expect: 'answer',
        id: `probe-${batch}`,
      };
      probe.check = (reply) =>
        JSON.stringify(reply.result) === '{}' ? undefined : 'the probe ping was not answered {}';
      ledger.sent(probe);
      raw.write(Buffer.concat([probe.bytes, Buffer.from('\n')]));
      await until(() => ledger.answered.has(key(`probe-${batch}`)));
    }
    t.diagnostic(`${batch} batches, ${n} client frames in ${Date.now() - started} ms`);
    await close().catch((error: Error) => replay(error.message));
    while (raw.buffered().lines > 0) await next();

    // What reached the server passed the client-side checks.
    const received = (await readFile(guarded.recvLog))
      .toString('latin1')
      .split('\n')
      .filter(Boolean);
    for (const text of received) {
      const parsed = parseWireLine(Buffer.from(text, 'latin1'));
      if ('problem' in parsed)
        replay(`the server received a line ${parsed.problem}`, text.slice(0, 400));
      const message = parsed.message;
      const params = message.params as JsonObject | undefined;
      if (message.method === 'tools/call') {
        const name = params?.name;
        if (typeof name !== 'string' || shownName(name).startsWith('forbidden'))
          replay('the server received a call it must not', text.slice(0, 400));
      }
      if (
        message.method === 'resources/read' &&
        (typeof params?.uri !== 'string' || params.uri.includes('/etc/'))
      ) {
        replay('the server received a read it must not', text.slice(0, 400));
      }
    }
    const audit = guarded.audit();
    assert.ok(
      audit.some((record) => record.event === 'guard.stop'),
      'the session ended with guard.stop',
    );
    const leaked = audit.find((record) => JSON.stringify(record).includes(F.CANARY));
    if (leaked) replay('the audit log holds the canary', JSON.stringify(leaked).slice(0, 400));
  },
);
