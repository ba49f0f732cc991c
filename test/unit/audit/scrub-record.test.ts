import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  childSpawn,
  childStderr,
  policyDeny,
  rpcNotification,
  rpcRequest,
} from '../../../src/audit/event-constructors.js';
import { RecordScrubber } from '../../../src/audit/scrub-record.js';
import { createRedactor } from '../../../src/policy/output/redact.js';
import { cleanValue } from '../../../src/policy/output/sanitize.js';

const TOKEN = 'tok-9f8e7d6c5b4a3210';
const GITHUB = `ghp_${'A'.repeat(36)}`;
const redact = createRedactor(['github'])!;
const make = () =>
  new RecordScrubber({
    env: [{ name: 'API_TOKEN', value: TOKEN }],
    redactText: redact,
    redactValue: (value) => cleanValue(value, false, redact),
  });

void test('every string of every field is scrubbed: bodies (keys too), arrays, reasons', () => {
  const scrubber = make();
  const cases = [
    rpcRequest({
      method: 'tools/call',
      id: TOKEN,
      tool: 'x',
      body: {
        jsonrpc: '2.0',
        method: 'tools/call',
        params: { name: 'x', arguments: { [TOKEN]: GITHUB, list: [`a ${TOKEN}`, GITHUB] } },
      },
    }),
    rpcNotification({ direction: 'client-to-server', body: { params: { text: `${GITHUB}` } } }),
    policyDeny({ rule: 'paths', reason: `no ${TOKEN} / ${GITHUB}`, direction: 'client-to-server' }),
    childSpawn({ pid: 1, command: 'node', args: ['--key', TOKEN, GITHUB] }),
    childStderr(`leaked ${TOKEN} and ${GITHUB}`),
  ];
  for (const event of cases) {
    const out = JSON.stringify(scrubber.scrub(event).fields);
    assert.ok(!out.includes(TOKEN), `${event.name}: ${out}`);
    assert.ok(!out.includes(GITHUB), `${event.name}: ${out}`);
    assert.ok(out.includes('[REDACTED') || out.includes('${env:API_TOKEN}'), out);
  }
});

void test("a secret split across a body's adjacent values is found, as in output", () => {
  const body = {
    result: {
      content: [
        { type: 'text', text: GITHUB.slice(0, 20) },
        { type: 'text', text: GITHUB.slice(20) },
      ],
    },
  };
  const out = JSON.stringify(
    make().scrub(rpcNotification({ direction: 'server-to-client', body })).fields,
  );
  assert.ok(!out.includes(GITHUB.slice(4, 20)), out);
});

void test('nothing to look for: the event itself comes back; clean records are unchanged', () => {
  const idle = new RecordScrubber({ env: [] });
  assert.equal(idle.idle, true);
  const event = childStderr(`leaked ${TOKEN}`);
  assert.equal(idle.scrub(event), event);
  const clean = rpcRequest({ method: 'tools/call', id: 1, tool: 'read_file' });
  assert.equal(make().scrub(clean), clean);
});

void test('stderr lines are one stream per server: a value split across two lines is masked in both', () => {
  const scrubber = make();
  const first = (
    scrubber.scrub(childStderr(`key: ${TOKEN.slice(0, 9)}`)).fields as { text: string }
  ).text;
  const second = (scrubber.scrub(childStderr(`${TOKEN.slice(9)} (end)`)).fields as { text: string })
    .text;
  assert.ok(!first.includes(TOKEN.slice(0, 9)), first);
  assert.ok(!second.includes(TOKEN.slice(9)), second);
  assert.ok(second.endsWith(' (end)'), second);
});

void test('remembered scrubbing: the same text scrubs the same way every time, past the bound too', () => {
  const scrubber = make();
  const request = (tool: string) =>
    (scrubber.scrub(rpcRequest({ method: 'tools/call', id: 1, tool })).fields as { tool: string })
      .tool;
  // A secret as a tool name is masked on its first and on every later record.
  for (let i = 0; i < 3; i++) assert.equal(request(TOKEN), '${env:API_TOKEN}');
  // More distinct texts than are remembered: each still comes out scrubbed, and the first again.
  for (let i = 0; i < 1500; i++) assert.equal(request(`tool-${i}`), `tool-${i}`);
  assert.equal(request(TOKEN), '${env:API_TOKEN}');
  assert.equal(request(`${GITHUB}`), '[REDACTED:github]');
  // Longer texts than are remembered are scrubbed each time.
  const long = `${'x'.repeat(300)} ${TOKEN}`;
  assert.equal(request(long), `${'x'.repeat(300)} \${env:API_TOKEN}`);
  assert.equal(request(long), `${'x'.repeat(300)} \${env:API_TOKEN}`);
});
