import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCatalog } from '../../../src/policy/catalog.js';
import { createArgumentsCheck } from '../../../src/policy/schema/arguments.js';
import { createSchemaCompiler, describeErrors } from '../../../src/policy/schema/compiler.js';
import { createOutputSchemaCheck } from '../../../src/policy/schema/output-schema.js';
import { ToolSchemas } from '../../../src/policy/schema/tool-schemas.js';
import {
  callTool,
  catalogWith,
  outcome,
  request,
  response,
  toClient,
  toServer,
  type Recorded,
} from '../../helpers/policy.js';

const echo = {
  name: 'echo',
  inputSchema: {
    type: 'object',
    properties: {
      text: { type: 'string', maxLength: 10 },
      times: { type: 'integer', minimum: 1 },
      when: { type: 'string', format: 'date-time' },
      nested: {
        type: 'object',
        properties: { deep: { type: 'array', items: { type: 'number' } } },
      },
    },
    required: ['text'],
    additionalProperties: false,
  },
};
const draft2020 = {
  name: 'modern',
  inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { n: { $ref: '#/$defs/n' } },
    $defs: { n: { type: 'number' } },
  },
};

const cases: [string, Record<string, unknown>, unknown, string][] = [
  ['valid arguments', echo, { text: 'hi' }, 'pass'],
  [
    'valid, every property',
    echo,
    { text: 'hi', times: 2, when: '2025-01-01T00:00:00Z', nested: { deep: [1, 2] } },
    'pass',
  ],
  ['a missing required property', echo, {}, 'deny inputSchema'],
  ['no arguments at all counts as {}', echo, undefined, 'deny inputSchema'],
  ['a wrong type', echo, { text: 5 }, 'deny inputSchema'],
  ['a string one over maxLength', echo, { text: '12345678901' }, 'deny inputSchema'],
  ['a string exactly at maxLength', echo, { text: '1234567890' }, 'pass'],
  ['a number under minimum', echo, { text: 'a', times: 0 }, 'deny inputSchema'],
  ['a bad format', echo, { text: 'a', when: 'yesterday' }, 'deny inputSchema'],
  ['an extra property where none are allowed', echo, { text: 'a', extra: 1 }, 'deny inputSchema'],
  ['a bad item deep inside', echo, { text: 'a', nested: { deep: [1, 'two'] } }, 'deny inputSchema'],
  ['arguments that are not an object', echo, ['text'], 'deny inputSchema'],
  ['a 2020-12 schema with $defs: valid', draft2020, { n: 1 }, 'pass'],
  ['a 2020-12 schema with $defs: invalid', draft2020, { n: 'one' }, 'deny inputSchema'],
  ['a tool without an inputSchema', { name: 'bare' }, { anything: 1 }, 'pass'],
];

for (const [what, tool, args, expected] of cases) {
  void test(`arguments: ${what}`, () => {
    const check = createArgumentsCheck(new ToolSchemas(createSchemaCompiler()));
    const verdict = check.check(callTool(String(tool.name), args), toServer(catalogWith([tool])));
    assert.equal(outcome(verdict), expected);
  });
}

void test('a refusal lists what is wrong, where', () => {
  const check = createArgumentsCheck(new ToolSchemas(createSchemaCompiler()));
  const verdict = check.check(
    callTool('echo', { text: 5, extra: 1 }),
    toServer(catalogWith([echo])),
  );
  assert.deepEqual(verdict, {
    action: 'deny',
    rule: 'inputSchema',
    reason:
      'the arguments do not match the inputSchema of tool "echo": (root) must NOT have additional properties; /text must be string',
  });
});

void test('a tool never listed is not validated (the access check decides about unknown tools)', () => {
  const check = createArgumentsCheck(new ToolSchemas(createSchemaCompiler()));
  assert.equal(
    outcome(check.check(callTool('echo', { text: 5 }), toServer(new ServerCatalog()))),
    'pass',
  );
  assert.equal(outcome(check.check(request('tools/list'), toServer(catalogWith([echo])))), 'pass');
});

void test('a schema that does not compile is recorded once, and its calls pass unvalidated', () => {
  const broken = [
    {
      name: 'remote',
      inputSchema: { type: 'object', properties: { a: { $ref: 'https://example.com/s.json' } } },
    },
    {
      name: 'regex',
      inputSchema: { type: 'object', properties: { a: { type: 'string', pattern: '(?<x' } } },
    },
    { name: 'junk', inputSchema: { type: 'wat' } },
    { name: 'scalar', inputSchema: 5 },
  ];
  const check = createArgumentsCheck(new ToolSchemas(createSchemaCompiler()));
  const records: Recorded[] = [];
  const catalog = catalogWith(broken);
  for (const round of [1, 2]) {
    for (const { name } of broken) {
      assert.equal(
        outcome(check.check(callTool(name, { a: 1 }), toServer(catalog, records))),
        'pass',
        `${name} round ${round}`,
      );
    }
  }
  assert.deepEqual(
    records.map((r) => [r.event, r.fields.tool, r.fields.schema, r.fields.effect, r.level]),
    broken.map(({ name }) => ['policy.schema', name, 'inputSchema', 'not validated', 'warn']),
  );
  assert.match(String(records[0]!.fields.reason), /can't resolve reference/);
});

void test('a schema is compiled once per tool object; a new listing with a changed schema is compiled afresh', () => {
  let compiled = 0;
  const inner = createSchemaCompiler();
  const schemas = new ToolSchemas({ compile: (s) => (compiled++, inner.compile(s)) });
  const check = createArgumentsCheck(schemas);
  const catalog = catalogWith([echo]);
  for (let i = 0; i < 3; i++) check.check(callTool('echo', { text: 'a' }), toServer(catalog));
  assert.equal(compiled, 1);
  // Listed again, identical: the compiled schema is reused.
  catalog.observeResult('tools/list', {}, { tools: [structuredClone(echo)] });
  check.check(callTool('echo', { text: 'a' }), toServer(catalog));
  assert.equal(compiled, 1);
  // Listed again with a changed schema: the new one decides.
  const changed = {
    name: 'echo',
    inputSchema: { type: 'object', properties: { text: { type: 'number' } } },
  };
  catalog.observeResult('tools/list', {}, { tools: [changed] });
  assert.equal(
    outcome(check.check(callTool('echo', { text: 'a' }), toServer(catalog))),
    'deny inputSchema',
  );
  assert.equal(outcome(check.check(callTool('echo', { text: 1 }), toServer(catalog))), 'pass');
  assert.equal(compiled, 2);
});

void test('a tools/list response compiles nothing: a schema is compiled when a call first needs it', () => {
  let compiled = 0;
  const inner = createSchemaCompiler();
  const check = createArgumentsCheck(
    new ToolSchemas({ compile: (s) => (compiled++, inner.compile(s)) }),
  );
  const catalog = catalogWith([echo]);
  check.check(response({ tools: [echo] }), toClient('tools/list', {}, catalog));
  assert.equal(compiled, 0);
  check.check(callTool('echo', { text: 'a' }), toServer(catalog));
  assert.equal(compiled, 1);
});

const weather = {
  name: 'weather',
  inputSchema: { type: 'object' },
  outputSchema: {
    type: 'object',
    properties: { temperature: { type: 'number' } },
    required: ['temperature'],
  },
};
const outputs: [string, Record<string, unknown>, unknown, string][] = [
  [
    'matching structuredContent',
    weather,
    { content: [], structuredContent: { temperature: 20 } },
    'pass',
  ],
  [
    'structuredContent of the wrong shape',
    weather,
    { content: [], structuredContent: { temperature: 'hot' } },
    'deny outputSchema',
  ],
  [
    'no structuredContent although declared',
    weather,
    { content: [{ type: 'text', text: '20' }] },
    'deny outputSchema',
  ],
  ['an error result is not checked', weather, { content: [], isError: true }, 'pass'],
  [
    'a tool without outputSchema',
    echo,
    { content: [], structuredContent: { anything: true } },
    'pass',
  ],
];
for (const [what, tool, result, expected] of outputs) {
  void test(`outputSchema: ${what}`, () => {
    const check = createOutputSchemaCheck(new ToolSchemas(createSchemaCompiler()));
    const verdict = check.check(
      response(result),
      toClient('tools/call', { name: tool.name }, catalogWith([tool])),
    );
    assert.equal(outcome(verdict), expected);
  });
}

void test('describeErrors shows at most five errors', () => {
  const errors = Array.from({ length: 7 }, (_, i) => ({ instancePath: `/a${i}`, message: 'bad' }));
  assert.equal(describeErrors(errors), '/a0 bad; /a1 bad; /a2 bad; /a3 bad; /a4 bad; and 2 more');
});
