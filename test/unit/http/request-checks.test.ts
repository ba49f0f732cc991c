import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allowedHosts,
  checkBearer,
  checkHost,
  checkOrigin,
} from '../../../src/http/request-checks.js';

const loopback = allowedHosts('127.0.0.1', 8931);

test('checkHost: the names a loopback front is reached by pass; a rebinding name, a wrong port or none is 403', () => {
  for (const host of ['127.0.0.1:8931', 'localhost:8931', 'LOCALHOST:8931', '[::1]:8931']) {
    assert.equal(checkHost(host, loopback, 80), null, host);
  }
  for (const host of [
    'evil.example:8931',
    'localhost:8932',
    'localhost',
    '127.0.0.1',
    '',
    undefined,
  ]) {
    assert.equal(checkHost(host, loopback, 80)?.status, 403, String(host));
  }
  // A front on port 80 is reached with no port in Host.
  assert.equal(checkHost('localhost', allowedHosts('127.0.0.1', 80), 80), null);
  // A named host answers to its name only.
  const named = allowedHosts('mcp.internal', 443);
  assert.equal(checkHost('mcp.internal', named, 443), null);
  assert.equal(checkHost('localhost:443', named, 443)?.status, 403);
});

test('checkOrigin: no Origin (not a browser) or the front itself pass; any other origin is 403', () => {
  assert.equal(checkOrigin(undefined, loopback, 'http'), null);
  assert.equal(checkOrigin('http://127.0.0.1:8931', loopback, 'http'), null);
  assert.equal(checkOrigin('http://localhost:8931', loopback, 'http'), null);
  for (const origin of [
    'https://evil.example',
    'http://localhost:3000',
    'https://127.0.0.1:8931',
    'null',
    'file://',
  ]) {
    assert.equal(checkOrigin(origin, loopback, 'http')?.status, 403, origin);
  }
});

test('checkBearer: 401 unless the header matches, with words for a missing and a wrong token', () => {
  const matches = (header: string | undefined) => header === 'Bearer right';
  assert.equal(checkBearer('Bearer right', matches), null);
  assert.deepEqual(checkBearer(undefined, matches), {
    status: 401,
    message: 'no Authorization: Bearer token',
  });
  assert.equal(checkBearer('Bearer wrong', matches)?.status, 401);
});
