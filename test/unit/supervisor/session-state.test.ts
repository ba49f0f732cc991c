import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionState } from '../../../src/supervisor/session-state.js';
import { collectAudit } from './fakes.js';

test('a move audits server.state with its cause and announces the change', () => {
  const audit = collectAudit();
  let changes = 0;
  const state = new SessionState(audit, 'srv', () => (changes += 1));
  assert.equal(state.current, 'starting');
  state.move('handshake-ok');
  assert.equal(state.current, 'ready');
  assert.deepEqual(audit.records, [
    {
      event: 'server.state',
      fields: { from: 'starting', to: 'ready', cause: 'handshake-ok' },
      level: 'info',
    },
  ]);
  assert.equal(changes, 1);
});

test('a move that changes nothing, or that the state does not accept, is silent', () => {
  const audit = collectAudit();
  let changes = 0;
  const state = new SessionState(audit, 'srv', () => (changes += 1));
  state.move('spawned'); // starting → starting
  state.move('restart-due'); // not accepted while starting
  assert.equal(state.current, 'starting');
  assert.equal(audit.records.length, 0);
  assert.equal(changes, 0);
});
