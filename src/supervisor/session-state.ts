/**
 * The state a supervised server is in, as the session moves it (server-state.ts decides which
 * moves exist): every change is audited (`server.state`) and announced, and the reason the server
 * is restarting, failed or stopped is kept beside it.
 */
import type { AuditSink } from '../audit/audit-sink.js';
import {
  INITIAL_SERVER_STATE,
  isIllegalTransition,
  transition,
  type ServerEvent,
  type ServerState,
} from './server-state.js';
import { serverState } from '../audit/event-constructors.js';

export class SessionState {
  #state: ServerState = INITIAL_SERVER_STATE;
  /** Why the server is restarting, failed or stopped, when it is. */
  reason: string | null = null;
  readonly #audit: AuditSink;
  readonly #server: string;
  readonly #changed: () => void;

  constructor(audit: AuditSink, server: string, changed: () => void) {
    this.#audit = audit;
    this.#server = server;
    this.#changed = changed;
  }

  get current(): ServerState {
    return this.#state;
  }

  /** A child is starting, or retried while failed: the server's first sign of life makes it ready. */
  get awaitsReady(): boolean {
    return this.#state === 'starting' || this.#state === 'failed';
  }

  /** Applies an event; an event the state does not accept, or one that changes nothing, is ignored. */
  move(event: ServerEvent): void {
    const next = transition(this.#state, event);
    if (isIllegalTransition(next)) return;
    if (next === this.#state) return;
    const from = this.#state;
    this.#state = next;
    this.#audit.record(this.#server, serverState({ from, to: next, cause: event }));
    this.#changed();
  }
}
