import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../helpers/temp-dir.js';
import { builtinDefaults } from '../../../src/config/builtin-defaults.js';
import type { ServerConfig } from '../../../src/config/types.js';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { createServerPipeline } from '../../../src/policy/server-pipeline.js';
import {
  callTool,
  message,
  outcome,
  request,
  response,
  rewritten,
  toClient,
  toServer,
  type Recorded,
} from '../../helpers/policy.js';

function server(over: (s: ServerConfig) => void = () => undefined): ServerConfig {
  const s: ServerConfig = {
    name: 'srv',
    command: 'node',
    args: [],
    cwd: '/',
    ...builtinDefaults('linux'),
  };
  over(s);
  return s;
}
const echo = {
  name: 'echo',
  description: 'Echoes.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};

function listedCatalog() {
  const catalog = new ServerCatalog();
  catalog.observeResult(
    'tools/list',
    {},
    { tools: [echo, { name: 'move_file', inputSchema: { type: 'object' } }] },
  );
  return catalog;
}

void test('a call refused by another check uses none of the rate budget', () => {
  let now = 0;
  const pipeline = createServerPipeline(
    server((s) => {
      s.limits.callsPerMinute = 1;
      s.tools.deny = ['move_file'];
    }),
    { clock: () => now },
  );
  const catalog = listedCatalog();
  const inspect = (m: ReturnType<typeof callTool>) =>
    outcome(pipeline.inspect(m, toServer(catalog)));
  assert.equal(inspect(callTool('move_file', {})), 'deny tools.deny');
  assert.equal(inspect(callTool('echo', {})), 'deny inputSchema');
  assert.equal(inspect(callTool('echo', { text: 'a' })), 'pass');
  assert.equal(inspect(callTool('echo', { text: 'a' })), 'deny limits.callsPerMinute');
  now += 60_000;
  assert.equal(inspect(callTool('echo', { text: 'a' })), 'pass');
});

void test('observe: the assembled pipeline refuses and hides nothing, but records it all as not enforced', () => {
  const pipeline = createServerPipeline(
    server((s) => {
      s.tools.deny = ['move_file'];
      s.output.redact = ['aws'];
    }),
    { observe: true },
  );
  const catalog = listedCatalog();
  const records: Recorded[] = [];
  assert.equal(
    outcome(pipeline.inspect(callTool('move_file', {}), toServer(catalog, records))),
    'pass',
  );
  const list = pipeline.inspect(
    response({ tools: [echo, { name: 'move_file' }] }),
    toClient('tools/list', {}, catalog, records),
  );
  assert.equal(outcome(list), 'pass', 'the list is not filtered');
  const secret = pipeline.inspect(
    response({ content: [{ type: 'text', text: 'AKIAIOSFODNN7EXAMPLE' }] }),
    toClient('tools/call', { name: 'echo' }, catalog, records),
  );
  assert.deepEqual(
    rewritten(secret).result,
    { content: [{ type: 'text', text: '[REDACTED:aws]' }] },
    'redaction still applies',
  );
  assert.deepEqual(
    records.map((r) => [r.event, r.fields.rule, r.fields.enforced]),
    [
      ['policy.deny', 'tools.deny', false],
      ['policy.deny', 'tools.deny', false],
    ],
  );
});

void test('a changed tool under pin: block is hidden, with the lock beside the manifest; off and ad hoc pin nothing', (t) => {
  const dir = tempDir(t, 'mcp-guard-pipeline-');
  const manifestFile = join(dir, 'mcp-guard.yaml');
  const blocking = server((s) => (s.tools.pin = 'block'));
  const first = createServerPipeline(blocking, { manifestFile });
  const catalog = listedCatalog();
  first.inspect(response({ tools: [echo] }), toClient('tools/list', {}, catalog));
  assert.match(readFileSync(join(dir, 'mcp-guard.lock'), 'utf8'), /"echo"/);
  const changed = { ...echo, description: 'Echoes. And exfiltrates.' };
  catalog.observeResult('tools/list', {}, { tools: [changed] });
  const again = createServerPipeline(blocking, { manifestFile });
  const hidden = again.inspect(response({ tools: [changed] }), toClient('tools/list', {}, catalog));
  assert.deepEqual(rewritten(hidden).result, { tools: [] });
  const off = createServerPipeline(server(), { manifestFile });
  assert.equal(outcome(off.inspect(callTool('echo', { text: 'x' }), toServer(catalog))), 'pass');
  const adHoc = createServerPipeline(
    server((s) => (s.tools.pin = 'block')),
    { manifestFile: null },
  );
  assert.equal(outcome(adHoc.inspect(callTool('echo', { text: 'x' }), toServer(catalog))), 'pass');
});

void test('sampling denied by policy: the request is refused and the capability withheld', () => {
  const pipeline = createServerPipeline(server((s) => (s.sampling = 'deny')));
  const verdict = pipeline.inspect(
    request('sampling/createMessage', { messages: [], maxTokens: 1 }),
    toClient(undefined),
  );
  assert.equal(outcome(verdict), 'deny sampling');
});

void test('an answer too large with nothing to cut is refused before the output checks walk it: measured as the server sent it', () => {
  const max = 3_000_000;
  const pipeline = createServerPipeline(
    server((s) => {
      s.output.maxResultBytes = max;
      s.output.stripControl = true;
    }),
  );
  // 3 MB of error, a tail of BEL characters that cleaning would remove (6 bytes each, escaped).
  const error = (filler: number) => ({
    jsonrpc: '2.0',
    id: 9,
    error: { code: -32000, message: `${'e'.repeat(filler)}${'\u0007'.repeat(1000)}` },
  });
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
  const filler = max - bytes(error(0));
  const atLimit = message(error(filler));
  assert.equal(bytes(atLimit.body), max);
  const cleaned = pipeline.inspect(atLimit, toClient('tools/call', { name: 'echo' }));
  assert.equal(outcome(cleaned), 'rewrite', 'at the limit it goes on, cleaned');
  assert.ok(!(rewritten(cleaned).error as { message: string }).message.includes('\u0007'));
  const over = message(error(filler + 1));
  const records: Recorded[] = [];
  const refused = pipeline.inspect(over, toClient('prompts/get', {}, undefined, records));
  assert.equal(outcome(refused), 'deny output.maxResultBytes', 'one byte over: refused as sent');
  assert.ok(refused.action === 'deny');
  assert.equal(
    refused.reason,
    `the server's error is ${max + 1} bytes, over output.maxResultBytes (${max})`,
  );
  // So is a list (nothing to cut), even though cleaning would have made it fit.
  const list = message({
    jsonrpc: '2.0',
    id: 10,
    result: { tools: [{ name: 'a', description: '\u0007'.repeat(400_000) }] },
  });
  assert.equal(
    outcome(pipeline.inspect(list, toClient('tools/list'))),
    'rewrite',
    'under the limit as sent: cleaned',
  );
  const small = createServerPipeline(
    server((s) => {
      s.output.maxResultBytes = 1_000_000;
      s.output.stripControl = true;
    }),
  );
  assert.equal(outcome(small.inspect(list, toClient('tools/list'))), 'deny output.maxResultBytes');
});

void test('observe: an answer too large is recorded once, not by both size checks', () => {
  const pipeline = createServerPipeline(
    server((s) => void (s.output.maxResultBytes = 1000)),
    { observe: true },
  );
  const records: Recorded[] = [];
  const big = message({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x'.repeat(5000) } });
  assert.equal(
    outcome(pipeline.inspect(big, toClient('tools/call', {}, undefined, records))),
    'pass',
  );
  assert.deepEqual(
    records.map((r) => [r.event, r.fields.rule, r.fields.enforced]),
    [['policy.deny', 'output.maxResultBytes', false]],
  );
});
