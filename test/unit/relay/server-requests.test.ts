import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_ORPHANS,
  MAX_SERVER_REQUESTS,
  ServerRequests,
} from '../../../src/relay/server-requests.js';

const entry = (id: string | number) => ({ id, method: 'roots/list', params: {}, startedAt: 0 });

test('admit: a new id passes; one in flight, one that collides, or one past the bound does not', () => {
  const requests = new ServerRequests();
  assert.deepEqual(requests.admit('s1', false), { ok: true });
  requests.add(entry('s1'));
  assert.deepEqual(requests.admit('s1', false), {
    ok: false,
    rule: 'framing',
    reason: 'a server request with this id is already in flight',
  });
  assert.deepEqual(requests.admit(1, false), { ok: true }, '1 and "1" are different ids');
  const collides = requests.admit('s2', true);
  assert.equal(collides.ok, false);
  assert.equal(!collides.ok && collides.rule, 'framing');
  for (let id = 2; id <= MAX_SERVER_REQUESTS; id += 1) requests.add(entry(`s${id}`));
  assert.deepEqual(requests.admit('next', false), {
    ok: false,
    rule: 'limit',
    reason: `${MAX_SERVER_REQUESTS} requests of the server are waiting for the client's answer (the most mcp-guard holds)`,
  });
  assert.equal(requests.answer('s5'), 'pending');
  assert.deepEqual(requests.admit('next', false), { ok: true }, 'one answered: room again');
});

test("answer: a pending request once, then unknown; a dead child's requests are orphans first", () => {
  const requests = new ServerRequests();
  requests.add(entry(7));
  assert.equal(requests.answer(7), 'pending');
  assert.equal(requests.answer(7), 'unknown', 'answered twice');
  assert.equal(requests.answer('never'), 'unknown');
  requests.add(entry(8));
  requests.orphanAll();
  requests.add(entry(8)); // the new child reuses the id
  assert.equal(requests.answer(8), 'orphan', "the late answer is the dead child's");
  assert.equal(requests.answer(8), 'pending', "the next one is the new child's");
  assert.equal(requests.answer(8), 'unknown');
});

test('orphanAll keeps the newest MAX_ORPHANS ids', () => {
  const requests = new ServerRequests();
  for (let id = 0; id < MAX_ORPHANS + 5; id += 1) requests.add(entry(id));
  requests.orphanAll();
  for (let id = 0; id < 5; id += 1) assert.equal(requests.answer(id), 'unknown', `oldest ${id}`);
  assert.equal(requests.answer(5), 'orphan');
  assert.equal(requests.answer(MAX_ORPHANS + 4), 'orphan');
});
