/**
 * Every result mcp-guard writes itself, through a real relay, in both eras (SPEC 6: "every result
 * mcp-guard writes itself is valid in the session's era"): in the stateless era each carries
 * `resultType` (protocol/result-type.ts is the one place that adds it), in the session era none
 * does. One row per writer; a new writer gets a row here. (The task shapes mcp-guard writes — a
 * refused task shown completed, a completed task's refused result — exist in the stateless era
 * only: task-inputs.test.ts and task-results.test.ts check their resultType.)
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import { createResultSizeChecks } from '../../../src/policy/output/result-size.js';
import { createResultTypeCheck } from '../../../src/policy/output/result-type.js';
import { createSanitizeCheck } from '../../../src/policy/output/sanitize.js';
import { createPipeline, type PolicyCheck } from '../../../src/policy/pipeline.js';
import { createRootsCheck } from '../../../src/policy/roots.js';
import { createSchemaCompiler } from '../../../src/policy/schema/compiler.js';
import { createOutputSchemaCheck } from '../../../src/policy/schema/output-schema.js';
import { ToolSchemas } from '../../../src/policy/schema/tool-schemas.js';
import { PASS } from '../../../src/policy/verdict.js';
import { Relay } from '../../../src/relay/relay.js';
import { lineReader } from '../../helpers/lines.js';

type Line = Record<string, unknown>;
type Era = 'session' | 'stateless';

const lines = (stream: PassThrough) => lineReader<Line>(stream);

/** Refuses `tools/call` of `denied` and answers a client's `acme/answered` itself. */
const toyChecks: PolicyCheck = {
  name: 'toy',
  check(message, context) {
    if (context.direction !== 'client-to-server' || message.kind !== 'request') return PASS;
    if (message.method === 'acme/answered') return { action: 'answer', rule: 'toy', result: {} };
    const params = message.params as { name?: unknown } | undefined;
    if (message.method === 'tools/call' && params?.name === 'denied') {
      return { action: 'deny', rule: 'tools.deny', reason: 'denied' };
    }
    return PASS;
  },
};

async function setup(era: Era) {
  const sizes = createResultSizeChecks(1500);
  const pipeline = createPipeline([
    toyChecks,
    createRootsCheck(['/work/project']),
    sizes.first,
    createOutputSchemaCheck(new ToolSchemas(createSchemaCompiler())),
    createSanitizeCheck({ stripControl: true, redact: ['aws'] })!,
    createResultTypeCheck(),
    sizes.last,
  ]);
  const clientIn = new PassThrough();
  const clientOut = new PassThrough();
  const audit: AuditSink = { bodies: false, record: () => undefined };
  const relay = new Relay({
    server: 'test',
    client: { input: clientIn, output: clientOut },
    maxMessageBytes: 1 << 20,
    audit,
    pipeline,
    callTimeout: 60_000,
  });
  const io = { input: new PassThrough(), output: new PassThrough() };
  relay.attachServer(io);
  const toServer = lines(io.output);
  const toClient = lines(clientOut);
  const meta =
    era === 'stateless'
      ? {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        }
      : {};
  let next = 0;
  /** The client asks; with `result`, the server answers it: what the client gets. */
  const ask = async (method: string, params: Line, result?: unknown): Promise<Line> => {
    const id = (next += 1);
    clientIn.write(
      `${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, ...meta } })}\n`,
    );
    if (result === undefined) return toClient();
    await toServer();
    io.input.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
    return toClient();
  };
  if (era === 'session') {
    await ask(
      'initialize',
      { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
      { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } },
    );
  }
  const done = { resultType: 'complete', taskId: 'T', status: 'completed' };
  await ask(
    'tools/list',
    {},
    {
      ...(era === 'stateless' ? { resultType: 'complete' } : {}),
      tools: [
        {
          name: 'count',
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
        },
      ],
    },
  );
  /** The server asks the client `roots/list`: what mcp-guard answers it. */
  const serverAsksRoots = async (): Promise<Line> => {
    io.input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'r1', method: 'roots/list' })}\n`);
    return toServer();
  };
  return { ask, serverAsksRoots, done, close: () => relay.close() };
}

type Setup = Awaited<ReturnType<typeof setup>>;

const writers: [string, (t: Setup) => Promise<unknown>][] = [
  [
    'a tools/call refused by policy (client-side)',
    async (t) => (await t.ask('tools/call', { name: 'denied' })).result,
  ],
  [
    "a client request a check answers itself (client-side 'answer')",
    async (t) => (await t.ask('acme/answered', {})).result,
  ],
  [
    "a tools/call result refused by policy (the server's answer replaced)",
    async (t) =>
      (await t.ask('tools/call', { name: 'count' }, { content: [], structuredContent: { n: 'x' } }))
        .result,
  ],
  [
    'a result the policy edited (redacted)',
    async (t) =>
      (
        await t.ask(
          'tools/call',
          { name: 'other' },
          { content: [{ type: 'text', text: 'AKIAABCDEFGHIJKLMNOP' }] },
        )
      ).result,
  ],
  [
    "a result cut to maxResultBytes (the cut note's container)",
    async (t) =>
      (
        await t.ask(
          'tools/call',
          { name: 'other' },
          { content: [{ type: 'text', text: 'x'.repeat(5000) }] },
        )
      ).result,
  ],
  [
    "mcp-guard's answer to the server's roots/list (paths.roots)",
    async (t) => (await t.serverAsksRoots()).result,
  ],
];

for (const era of ['stateless', 'session'] as const) {
  for (const [writer, write] of writers) {
    void test(`${era} era: ${writer} ${era === 'stateless' ? 'carries' : 'has no'} resultType`, async () => {
      const t = await setup(era);
      const result = (await write(t)) as Line | undefined;
      assert.ok(result !== undefined && typeof result === 'object', JSON.stringify(result));
      if (era === 'stateless') assert.equal(result.resultType, 'complete', JSON.stringify(result));
      else assert.equal('resultType' in result, false, JSON.stringify(result));
      t.close();
    });
  }
}
