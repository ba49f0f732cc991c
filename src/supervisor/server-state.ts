/**
 * The one state a guarded server is in, and the only moves between states, so the audit log,
 * `status` and `up` all report the same truth. Pure: the supervisor feeds it events and acts on
 * the answer; an event that makes no sense in a state comes back as a value, not a throw.
 *
 *   starting ──handshake-ok──▶ ready ──exited / hung──▶ restarting ──restart-due──▶ starting
 *   restarting ──gave-up──▶ failed ──handshake-ok──▶ ready        (a retry that got through)
 *   restarting / failed ──no-restart──▶ stopped                   (the policy said stay stopped)
 *   any live state ──stop-requested──▶ stopping ──exited──▶ stopped
 *
 * While `failed`, retries happen without leaving `failed` (spawned, exited and hung keep it), so
 * requests keep getting -31052 at once until a retry completes its handshake.
 */

/** Why named states: one vocabulary for audit, `status` and `up`; a superset of SessionState. */
export type ServerState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopping' | 'stopped';

/**
 * What happens to a server, as the supervisor sees it:
 * - `spawned`: a child process was started (first start, after `restart-due`, or a retry);
 * - `handshake-ok`: `initialize` (the client's, or mcp-guard's replay) was answered;
 * - `exited`: no child is left — it exited, was killed, or failed to spawn (or, when stopping,
 *   there was none to begin with);
 * - `hung`: health checks failed and mcp-guard is killing the child to restart it;
 * - `restart-due`: the backoff delay has passed and a restart begins;
 * - `gave-up`: the restart policy gave up (too many starts in the window);
 * - `no-restart`: the restart policy says the server stays stopped;
 * - `stop-requested`: mcp-guard is shutting the server down (client EOF, signal, `up` stopping).
 */
export type ServerEvent =
  | 'spawned'
  | 'handshake-ok'
  | 'exited'
  | 'hung'
  | 'restart-due'
  | 'gave-up'
  | 'no-restart'
  | 'stop-requested';

/** Every state, in lifecycle order, for exhaustive tests and for validating a status file. */
export const SERVER_STATES: readonly ServerState[] = [
  'starting',
  'ready',
  'restarting',
  'failed',
  'stopping',
  'stopped',
];

/** Every event, for exhaustive tests. */
export const SERVER_EVENTS: readonly ServerEvent[] = [
  'spawned',
  'handshake-ok',
  'exited',
  'hung',
  'restart-due',
  'gave-up',
  'no-restart',
  'stop-requested',
];

/** Where a server begins: a child is being started (as GuardSession does). */
export const INITIAL_SERVER_STATE: ServerState = 'starting';

/** The answer for an event a state does not accept; the caller logs or ignores it. */
export interface IllegalTransition {
  error: 'ERR_ILLEGAL_TRANSITION';
  state: ServerState;
  event: ServerEvent;
  message: string;
}

const TRANSITIONS: Record<ServerState, Partial<Record<ServerEvent, ServerState>>> = {
  starting: {
    spawned: 'starting',
    'handshake-ok': 'ready',
    exited: 'restarting',
    hung: 'restarting',
    'stop-requested': 'stopping',
  },
  ready: { exited: 'restarting', hung: 'restarting', 'stop-requested': 'stopping' },
  restarting: {
    // A hung child's exit arrives after `hung` already moved here.
    exited: 'restarting',
    'restart-due': 'starting',
    'gave-up': 'failed',
    'no-restart': 'stopped',
    'stop-requested': 'stopping',
  },
  failed: {
    spawned: 'failed',
    'handshake-ok': 'ready',
    exited: 'failed',
    hung: 'failed',
    'no-restart': 'stopped',
    'stop-requested': 'stopping',
  },
  // Stopping twice (a second signal) is harmless, so stop-requested is idempotent.
  stopping: { exited: 'stopped', 'stop-requested': 'stopping' },
  stopped: { 'stop-requested': 'stopped' },
};

/** The state after `event`, or an IllegalTransition value when `state` does not accept it. */
export function transition(
  state: ServerState,
  event: ServerEvent,
): ServerState | IllegalTransition {
  const next = TRANSITIONS[state][event];
  if (next !== undefined) return next;
  return {
    error: 'ERR_ILLEGAL_TRANSITION',
    state,
    event,
    message: `event ${event} is not allowed in state ${state}`,
  };
}

/** Narrows a transition's answer without string comparisons at call sites. */
export function isIllegalTransition(
  result: ServerState | IllegalTransition,
): result is IllegalTransition {
  return typeof result !== 'string';
}
