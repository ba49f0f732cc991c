import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  childRestart,
  childStderr,
  policyDeny,
  rpcRequest,
  rpcResponse,
} from '../../../src/audit/event-constructors.js';
import { escapeLabel, formatValue, Histogram } from '../../../src/metrics/exposition.js';
import { GuardMetrics, type ServerReading } from '../../../src/metrics/guard-metrics.js';
import { lineValue, parsePrometheus, sampleValue } from '../../helpers/prometheus.js';

const OWN = { cpuSeconds: 1.5, rssBytes: 60_000_000 };

function answered(metrics: GuardMetrics, server: string, method: string, ms: number): void {
  metrics.observe(server, rpcResponse({ method, id: 1, startedAt: 0 }, { isError: false }, ms));
}

test('a fresh registry has every family and a zero series per named server', () => {
  const text = new GuardMetrics(['files', 'memory']).render([], OWN);
  const families = parsePrometheus(text);
  assert.deepEqual(
    families.map((f) => [f.name, f.type]),
    [
      ['mcp_guard_server_state', 'GAUGE'],
      ['mcp_guard_server_restarts_total', 'COUNTER'],
      ['mcp_guard_tool_calls_total', 'COUNTER'],
      ['mcp_guard_refusals_total', 'COUNTER'],
      ['mcp_guard_request_duration_seconds', 'HISTOGRAM'],
      ['mcp_guard_server_cpu_seconds_total', 'COUNTER'],
      ['mcp_guard_server_resident_memory_bytes', 'GAUGE'],
      ['mcp_guard_server_processes', 'GAUGE'],
      ['mcp_guard_process_cpu_seconds_total', 'COUNTER'],
      ['mcp_guard_process_resident_memory_bytes', 'GAUGE'],
    ],
  );
  assert.equal(sampleValue(families, 'mcp_guard_tool_calls_total', { server: 'memory' }), 0);
  assert.equal(sampleValue(families, 'mcp_guard_process_resident_memory_bytes'), 60_000_000);
  assert.ok(text.endsWith('\n'));
  assert.match(text, /^# HELP mcp_guard_server_state /);
});

test('counters move with the audit events: calls, refusals by rule, restarts, latency', () => {
  const metrics = new GuardMetrics(['files']);
  metrics.observe('files', rpcRequest({ method: 'tools/call', id: 1, tool: 'read' }));
  metrics.observe('files', rpcRequest({ method: 'tools/call', id: 2, tool: 'read' }));
  metrics.observe('files', rpcRequest({ method: 'tools/call', id: 2, tool: 'read', retry: true }));
  metrics.observe('files', rpcRequest({ method: 'tools/list', id: 3 }));
  metrics.observe(
    'files',
    rpcRequest({ method: 'ping', id: 4, answeredBy: 'mcp-guard', rule: 'x', tool: 'read' }),
  );
  const deny = (rule: string, enforced?: false) =>
    policyDeny({ rule, reason: 'r', direction: 'client-to-server', enforced });
  metrics.observe('files', deny('tools.deny'));
  metrics.observe('files', deny('tools.deny'));
  metrics.observe('files', deny('paths'));
  metrics.observe('files', deny('paths', false));
  metrics.observe('files', childRestart({ attempt: 1, delayMs: 250, reason: 'exited' }));
  metrics.observe('files', childStderr('noise'));
  answered(metrics, 'files', 'tools/call', 3);
  answered(metrics, 'files', 'tools/call', 300);
  answered(metrics, 'files', 'tools/call', 20_000);
  answered(metrics, 'files', 'made/up', 1);
  const text = metrics.render([], OWN);
  const families = parsePrometheus(text);
  assert.equal(sampleValue(families, 'mcp_guard_tool_calls_total', { server: 'files' }), 2);
  assert.equal(sampleValue(families, 'mcp_guard_server_restarts_total', { server: 'files' }), 1);
  const refusals = { server: 'files' };
  assert.equal(
    sampleValue(families, 'mcp_guard_refusals_total', { ...refusals, rule: 'tools.deny' }),
    2,
  );
  assert.equal(
    sampleValue(families, 'mcp_guard_refusals_total', { ...refusals, rule: 'paths' }),
    1,
  );
  // The parser keeps only unlabelled histograms whole: these samples are read from the text.
  const bucket = (method: string, le: string) =>
    lineValue(
      text,
      `mcp_guard_request_duration_seconds_bucket{server="files",method="${method}",le="${le}"}`,
    );
  assert.deepEqual(
    ['0.005', '0.25', '0.5', '10', '+Inf'].map((le) => bucket('tools/call', le)),
    [1, 1, 2, 2, 3],
  );
  const call = '{server="files",method="tools/call"}';
  assert.equal(lineValue(text, `mcp_guard_request_duration_seconds_count${call}`), 3);
  assert.equal(lineValue(text, `mcp_guard_request_duration_seconds_sum${call}`), 20.303);
  assert.equal(bucket('other', '+Inf'), 1, 'unknown methods are counted as other');
  assert.ok(!text.includes('made/up'));
  assert.ok(!families.some((f) => f.metrics.some((m) => m.labels?.server === '-')));
});

test('state, CPU and memory come from the readings, summed over a server’s children', () => {
  const readings: ServerReading[] = [
    { server: 'files', state: 'ready', usage: { cpuSeconds: 2, rssBytes: 100, processes: 2 } },
    { server: 'files', state: 'ready', usage: { cpuSeconds: 1, rssBytes: 50, processes: 1 } },
    { server: 'files', state: 'restarting', usage: null },
  ];
  const families = parsePrometheus(new GuardMetrics(['files']).render(readings, OWN));
  const state = (s: string) =>
    sampleValue(families, 'mcp_guard_server_state', { server: 'files', state: s });
  assert.deepEqual([state('ready'), state('restarting'), state('failed')], [2, 1, 0]);
  assert.equal(sampleValue(families, 'mcp_guard_server_cpu_seconds_total'), 3);
  assert.equal(sampleValue(families, 'mcp_guard_server_resident_memory_bytes'), 150);
  assert.equal(sampleValue(families, 'mcp_guard_server_processes'), 3);
});

test('label values are escaped; a hostile server name stays one label', () => {
  const name = 'a"b\\c\nd';
  const metrics = new GuardMetrics([name]);
  metrics.observe(name, rpcRequest({ method: 'tools/call', id: 1, tool: 't' }));
  const text = metrics.render([], OWN);
  assert.ok(text.includes('server="a\\"b\\\\c\\nd"'));
  const families = parsePrometheus(text);
  assert.equal(sampleValue(families, 'mcp_guard_tool_calls_total', { server: name }), 1);
  assert.equal(escapeLabel('plain'), 'plain');
});

test('numbers: Go-style infinities and NaN; histogram buckets are cumulative', () => {
  assert.deepEqual([Infinity, -Infinity, NaN, 0.25].map(formatValue), [
    '+Inf',
    '-Inf',
    'NaN',
    '0.25',
  ]);
  const h = new Histogram([1, 2]);
  for (const v of [0.5, 1, 1.5, 3]) h.observe(v);
  assert.deepEqual(
    h.samples({}).map((s) => [s.suffix, s.labels.le, s.value]),
    [
      ['_bucket', '1', 2],
      ['_bucket', '2', 3],
      ['_bucket', '+Inf', 4],
      ['_sum', undefined, 6],
      ['_count', undefined, 4],
    ],
  );
});
