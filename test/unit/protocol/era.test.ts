import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  eraOfRequest,
  isStatelessVersion,
  nextEra,
  statelessVersionOf,
  type Era,
} from '../../../src/protocol/era.js';

const meta = (version: unknown) => ({
  _meta: {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientCapabilities': {},
  },
});

void test('era: stateless versions are dates from 2026-07-28 on', () => {
  const rows: [unknown, boolean][] = [
    ['2026-07-28', true],
    ['2027-01-01', true],
    ['2025-11-25', false],
    ['2024-11-05', false],
    ['2026-07-27', false],
    ['2026-7-28', false],
    ['draft', false],
    ['9999-99-99x', false],
    [20260728, false],
    [undefined, false],
  ];
  for (const [version, stateless] of rows) {
    assert.equal(isStatelessVersion(version), stateless, String(version));
  }
});

void test('era: the version a request declares is read from its _meta only', () => {
  assert.equal(statelessVersionOf(meta('2026-07-28')), '2026-07-28');
  assert.equal(statelessVersionOf(meta('2025-06-18')), undefined);
  assert.equal(
    statelessVersionOf({ 'io.modelcontextprotocol/protocolVersion': '2026-07-28' }),
    undefined,
  );
  assert.equal(statelessVersionOf({ _meta: [] }), undefined);
  assert.equal(statelessVersionOf(undefined), undefined);
  assert.equal(statelessVersionOf([meta('2026-07-28')]), undefined);
});

void test('era: what one request says', () => {
  const rows: [string, unknown, Era | undefined][] = [
    ['initialize', { protocolVersion: '2025-11-25' }, 'session'],
    // An initialize is the session era whatever its _meta says.
    ['initialize', meta('2026-07-28'), 'session'],
    ['server/discover', undefined, 'stateless'],
    ['server/discover', meta('2026-07-28'), 'stateless'],
    ['tools/list', meta('2026-07-28'), 'stateless'],
    ['tools/call', { name: 'x', ...meta('2026-09-01') }, 'stateless'],
    ['tools/list', meta('2025-11-25'), undefined],
    ['tools/list', {}, undefined],
    ['ping', undefined, undefined],
  ];
  for (const [method, params, era] of rows) {
    assert.equal(eraOfRequest(method, params), era, `${method} ${JSON.stringify(params)}`);
  }
});

/** The era after each of a client's requests, in order. */
function eras(requests: [string, unknown][]): (Era | undefined)[] {
  let era: Era | undefined;
  return requests.map(([method, params]) => (era = nextEra(era, method, params)));
}

void test('era: a 2025 client is in the session era from its initialize on', () => {
  assert.deepEqual(
    eras([
      ['initialize', { protocolVersion: '2025-06-18' }],
      ['tools/list', {}],
      ['ping', undefined],
    ]),
    ['session', 'session', 'session'],
  );
});

void test('era: a 2026 client is stateless from its first request, discover or not', () => {
  assert.deepEqual(
    eras([
      ['tools/list', meta('2026-07-28')],
      ['tools/call', { name: 'a', ...meta('2026-07-28') }],
    ]),
    ['stateless', 'stateless'],
  );
  assert.deepEqual(
    eras([
      ['server/discover', meta('2026-07-28')],
      ['tools/list', meta('2026-07-28')],
    ]),
    ['stateless', 'stateless'],
  );
});

void test('era: undecided until a request says; a request saying nothing keeps it', () => {
  assert.deepEqual(
    eras([
      ['tools/list', {}],
      ['server/discover', undefined],
      ['tools/list', {}],
    ]),
    [undefined, 'stateless', 'stateless'],
  );
});

void test("era: a dual-era client's probe then fallback ends in the session era, for good", () => {
  assert.deepEqual(
    eras([
      ['server/discover', meta('2026-07-28')],
      ['initialize', { protocolVersion: '2025-11-25' }],
      ['tools/list', {}],
      ['tools/list', meta('2026-07-28')],
      ['server/discover', meta('2026-07-28')],
    ]),
    ['stateless', 'session', 'session', 'session', 'session'],
  );
});
