import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPipeline } from '../../../src/policy/pipeline.js';
import { refusalLine } from '../../../src/policy/refusal.js';
import { createRootsCheck } from '../../../src/policy/roots.js';
import { createResultSizeCheck } from '../../../src/policy/output/result-size.js';
import { createResultTypeCheck } from '../../../src/policy/output/result-type.js';
import { createOutputSchemaCheck } from '../../../src/policy/schema/output-schema.js';
import { createSchemaCompiler } from '../../../src/policy/schema/compiler.js';
import { ToolSchemas } from '../../../src/policy/schema/tool-schemas.js';
import { createServerRequestsCheck } from '../../../src/policy/server-requests.js';
import { resultFor } from '../../../src/protocol/result-type.js';
import {
  catalogWith,
  outcome,
  request,
  response,
  rewritten,
  toClient,
  toServer,
  type Recorded,
} from '../../helpers/policy.js';

const meta = (version: string, capabilities: unknown = {}) => ({
  'io.modelcontextprotocol/protocolVersion': version,
  'io.modelcontextprotocol/clientCapabilities': capabilities,
  'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' },
});
const stateless = { name: 'weather', _meta: meta('2026-07-28') };

void test('resultFor: stateless-era results get resultType complete; others, and one already typed, as they are', () => {
  const call = { method: 'tools/call', params: stateless };
  assert.deepEqual(resultFor(call, { content: [] }), { resultType: 'complete', content: [] });
  const typed = { resultType: 'input_required', requestState: 'x' };
  assert.equal(resultFor(call, typed), typed);
  const old = { content: [] };
  assert.equal(resultFor({ method: 'tools/call', params: { name: 'weather' } }, old), old);
  const before = { method: 'tools/call', params: { name: 'w', _meta: meta('2025-11-25') } };
  assert.equal(resultFor(before, old), old, 'a 2025 version in _meta is the session era');
  assert.deepEqual(resultFor({ method: 'server/discover', params: undefined }, {}), {
    resultType: 'complete',
  });
  assert.equal(resultFor(undefined, old), old);
});

void test("a refused tools/call is valid in its request's era", () => {
  const verdict = { rule: 'tools.deny', reason: 'no' };
  const now = JSON.parse(refusalLine(3, 'tools/call', 's', verdict, stateless)) as {
    result: Record<string, unknown>;
  };
  assert.equal(now.result.resultType, 'complete');
  assert.equal(now.result.isError, true);
  const before = JSON.parse(refusalLine(3, 'tools/call', 's', verdict, { name: 'weather' })) as {
    result: Record<string, unknown>;
  };
  assert.equal('resultType' in before.result, false);
  const error = JSON.parse(refusalLine(3, 'resources/read', 's', verdict, stateless)) as object;
  assert.equal('result' in error, false, 'other refusals stay JSON-RPC errors');
});

void test('a stateless result the policy edited carries resultType; one left as written is not touched', () => {
  const check = createResultTypeCheck();
  const untouched = response({ content: [] });
  const context = {
    ...toClient('tools/call', stateless),
    received: { message: untouched, bytes: 10 },
  };
  assert.equal(outcome(check.check(untouched, context)), 'pass');
  const edited = response({ content: [{ type: 'text', text: 'x' }] });
  const stamped = rewritten(check.check(edited, context)).result as { resultType: string };
  assert.equal(stamped.resultType, 'complete');
  const old = toClient('tools/call', { name: 'weather' });
  assert.equal(outcome(check.check(edited, old)), 'pass');
});

void test('the cut note goes in a result that carries resultType in the stateless era', () => {
  const check = createResultSizeCheck(400);
  const big = response({
    resultType: 'complete',
    content: [{ type: 'text', text: 'x'.repeat(2000) }],
  });
  const kept = rewritten(check.check(big, toClient('tools/call', stateless))).result as {
    resultType: string;
  };
  assert.equal(kept.resultType, 'complete');
  const untyped = response({ content: [{ type: 'text', text: 'x'.repeat(2000) }] });
  const stamped = rewritten(check.check(untyped, toClient('tools/call', stateless))).result as {
    resultType: string;
  };
  assert.equal(stamped.resultType, 'complete');
  const old = rewritten(check.check(untyped, toClient('tools/call', { name: 'weather' })))
    .result as object;
  assert.equal('resultType' in old, false);
});

const weather = {
  name: 'weather',
  inputSchema: { type: 'object' },
  outputSchema: { type: 'object', properties: { t: { type: 'number' } }, required: ['t'] },
};

void test('outputSchema: a stateless input_required result is not the final result; in the session era it is', () => {
  const check = createOutputSchemaCheck(new ToolSchemas(createSchemaCompiler()));
  const asks = response({ resultType: 'input_required', requestState: 'abc' });
  const catalog = catalogWith([weather]);
  assert.equal(outcome(check.check(asks, toClient('tools/call', stateless, catalog))), 'pass');
  const old = toClient('tools/call', { name: 'weather' }, catalog);
  assert.equal(outcome(check.check(asks, old)), 'deny outputSchema');
  const spelled = response({ resultType: 'Input_Required', requestState: 'abc' });
  assert.equal(
    outcome(check.check(spelled, toClient('tools/call', stateless, catalog))),
    'deny outputSchema',
    'another spelling is a final result',
  );
  const final = response({ resultType: 'complete', content: [] });
  assert.equal(
    outcome(check.check(final, toClient('tools/call', stateless, catalog))),
    'deny outputSchema',
  );
});

void test("denied capabilities are taken out of each stateless request's _meta, and recorded once", () => {
  const records: Recorded[] = [];
  const pipeline = createPipeline([
    createServerRequestsCheck({ sampling: 'deny', elicitation: 'deny' })!,
  ]);
  const call = request('tools/call', {
    name: 'x',
    _meta: meta('2026-07-28', { sampling: {}, elicitation: { form: {} }, roots: {} }),
  });
  for (let i = 0; i < 3; i++) {
    const body = rewritten(pipeline.inspect(call, toServer(undefined, records)));
    const params = body.params as { name: string; _meta: Record<string, unknown> };
    assert.equal(params.name, 'x');
    assert.deepEqual(params._meta['io.modelcontextprotocol/clientCapabilities'], { roots: {} });
    assert.equal(params._meta['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
  }
  assert.deepEqual(
    records.map((r) => r.fields.rule),
    ['sampling', 'elicitation'],
  );
  const old = request('tools/call', { name: 'x', _meta: { progressToken: 1 } });
  assert.equal(outcome(pipeline.inspect(old, toServer())), 'pass');
});

void test('paths.roots: each stateless request declares roots to the server', () => {
  const check = createRootsCheck(['/work/project']);
  const call = request('tools/list', { _meta: meta('2026-07-28', { sampling: {} }) });
  const params = rewritten(check.check(call, toServer())).params as {
    _meta: Record<string, unknown>;
  };
  assert.deepEqual(params._meta['io.modelcontextprotocol/clientCapabilities'], {
    sampling: {},
    roots: {},
  });
  const bare = request('tools/list', {
    _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
  });
  const added = rewritten(check.check(bare, toServer())).params as {
    _meta: Record<string, unknown>;
  };
  assert.deepEqual(added._meta['io.modelcontextprotocol/clientCapabilities'], { roots: {} });
  assert.equal(outcome(check.check(request('tools/list', {}), toServer())), 'pass');
});
