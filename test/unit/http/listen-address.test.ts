import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackHost, parseListenAddress } from '../../../src/http/listen-address.js';

test('parseListenAddress: PORT, HOST:PORT and [IPv6]:PORT; anything else says why', () => {
  const cases: [string, unknown][] = [
    ['8931', { host: '127.0.0.1', port: 8931 }],
    ['0', { host: '127.0.0.1', port: 0 }],
    ['127.0.0.1:8931', { host: '127.0.0.1', port: 8931 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['0.0.0.0:8931', { host: '0.0.0.0', port: 8931 }],
    ['[::1]:8931', { host: '::1', port: 8931 }],
    ['host.example:443', { host: 'host.example', port: 443 }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseListenAddress(text), expected, text);
  for (const text of ['', 'abc', ':8931', '127.0.0.1:', '127.0.0.1:http', '99999', '[nope]:1']) {
    assert.ok('problem' in parseListenAddress(text), text);
  }
  assert.match((parseListenAddress('::1:8931') as { problem: string }).problem, /goes in brackets/);
});

test('isLoopbackHost: 127.0.0.0/8, ::1 and localhost only', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', 'a.localhost']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '128.0.0.1']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});
