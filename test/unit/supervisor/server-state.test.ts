import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  INITIAL_SERVER_STATE,
  SERVER_EVENTS,
  SERVER_STATES,
  isIllegalTransition,
  transition,
  type ServerEvent,
  type ServerState,
} from '../../../src/supervisor/server-state.js';

// Every allowed move; any (state, event) pair not listed here must be rejected.
const allowed: [ServerState, ServerEvent, ServerState][] = [
  ['starting', 'spawned', 'starting'],
  ['starting', 'handshake-ok', 'ready'],
  ['starting', 'exited', 'restarting'],
  ['starting', 'hung', 'restarting'],
  ['starting', 'stop-requested', 'stopping'],
  ['ready', 'exited', 'restarting'],
  ['ready', 'hung', 'restarting'],
  ['ready', 'stop-requested', 'stopping'],
  ['restarting', 'exited', 'restarting'],
  ['restarting', 'restart-due', 'starting'],
  ['restarting', 'gave-up', 'failed'],
  ['restarting', 'no-restart', 'stopped'],
  ['restarting', 'stop-requested', 'stopping'],
  ['failed', 'spawned', 'failed'],
  ['failed', 'handshake-ok', 'ready'],
  ['failed', 'exited', 'failed'],
  ['failed', 'hung', 'failed'],
  ['failed', 'no-restart', 'stopped'],
  ['failed', 'stop-requested', 'stopping'],
  ['stopping', 'exited', 'stopped'],
  ['stopping', 'stop-requested', 'stopping'],
  ['stopped', 'stop-requested', 'stopped'],
];

test('every allowed transition lands where the table says', () => {
  for (const [from, event, to] of allowed) {
    assert.equal(transition(from, event), to, `${from} --${event}-->`);
  }
});

test('every other transition is rejected with an error value', () => {
  const ok = new Set(allowed.map(([from, event]) => `${from}/${event}`));
  let rejected = 0;
  for (const state of SERVER_STATES) {
    for (const event of SERVER_EVENTS) {
      if (ok.has(`${state}/${event}`)) continue;
      const result = transition(state, event);
      assert.ok(isIllegalTransition(result), `${state} --${event}--> should be illegal`);
      assert.deepEqual(result, {
        error: 'ERR_ILLEGAL_TRANSITION',
        state,
        event,
        message: `event ${event} is not allowed in state ${state}`,
      });
      rejected++;
    }
  }
  assert.equal(rejected, SERVER_STATES.length * SERVER_EVENTS.length - allowed.length);
});

test('nothing but a stop request leaves stopped, and stopped is reachable from every state', () => {
  for (const event of SERVER_EVENTS) {
    const result = transition('stopped', event);
    if (!isIllegalTransition(result)) assert.equal(result, 'stopped', event);
  }
  for (const state of SERVER_STATES) {
    let current: ServerState = state;
    for (const event of ['stop-requested', 'exited'] as const) {
      const next = transition(current, event);
      if (!isIllegalTransition(next)) current = next;
    }
    assert.equal(current, 'stopped', `from ${state}`);
  }
});

/** Replays events from the initial state; throws on an illegal one. */
function walk(events: ServerEvent[]): ServerState[] {
  const seen: ServerState[] = [INITIAL_SERVER_STATE];
  let state = INITIAL_SERVER_STATE;
  for (const event of events) {
    const next = transition(state, event);
    if (isIllegalTransition(next)) throw new Error(next.message);
    seen.push((state = next));
  }
  return seen;
}

test('lifecycles: crash and recover, hang, give up and retry, shutdown', () => {
  const table: [string, ServerEvent[], ServerState[]][] = [
    [
      'crash, backoff, back to ready',
      ['spawned', 'handshake-ok', 'exited', 'restart-due', 'spawned', 'handshake-ok'],
      ['starting', 'starting', 'ready', 'restarting', 'starting', 'starting', 'ready'],
    ],
    [
      'hung: killed, its exit noted, restarted',
      ['spawned', 'handshake-ok', 'hung', 'exited', 'restart-due'],
      ['starting', 'starting', 'ready', 'restarting', 'restarting', 'starting'],
    ],
    [
      'cannot start: gives up, a retry fails, the next one gets through',
      ['exited', 'gave-up', 'spawned', 'exited', 'spawned', 'handshake-ok'],
      ['starting', 'restarting', 'failed', 'failed', 'failed', 'failed', 'ready'],
    ],
    [
      'clean exit under on-failure stays stopped',
      ['spawned', 'handshake-ok', 'exited', 'no-restart'],
      ['starting', 'starting', 'ready', 'restarting', 'stopped'],
    ],
    [
      'client EOF: stopping, then stopped',
      ['spawned', 'handshake-ok', 'stop-requested', 'stop-requested', 'exited'],
      ['starting', 'starting', 'ready', 'stopping', 'stopping', 'stopped'],
    ],
  ];
  for (const [name, events, states] of table) assert.deepEqual(walk(events), states, name);
});

test('a late handshake answer after a stop is rejected, not applied', () => {
  assert.ok(isIllegalTransition(transition('stopping', 'handshake-ok')));
});
