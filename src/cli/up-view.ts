/**
 * What `up` shows while it supervises, on its output (stdout): on a terminal, a live table redrawn
 * in place (state, pid, uptime, restarts, last ping, calls, denials, CPU and memory per server);
 * otherwise one plain line per change of state, so a log file or CI output stays readable; with
 * `--json`, one JSON object per change on stdout for machines. Other text (the servers' stderr
 * lines) goes to stderr, above the live table when both are the same terminal.
 */
import type { GuardSession, SessionSnapshot } from '../supervisor/guard-session.js';
import type { HttpStatus } from '../supervisor/status-file.js';
import type { HttpChildren } from './http-children.js';
import { formatDuration, formatTable, serverFigures } from './table.js';

export type ViewMode = 'live' | 'lines' | 'json';

/** The live table is redrawn at most this often, and at least this often for uptimes. */
const REDRAW_MS = 1000;
const MIN_REDRAW_MS = 100;

export interface View {
  /** Writes other output (a server's stderr lines) so that the live table stays intact. */
  print(text: string): void;
  stop(): void;
}

/** A server as the view shows it: `up`'s child, and under `--http` its clients' children. */
type Shown = SessionSnapshot & { http?: HttpStatus };

/**
 * The live table and the lines go to `out` (the command's output); JSON always to stdout. `http`:
 * the children `up --http` runs for clients, counted in each server's figures.
 */
export function startView(
  sessions: readonly GuardSession[],
  mode: ViewMode,
  out: NodeJS.WritableStream,
  http: HttpChildren | null = null,
): View {
  const show = (session: GuardSession): Shown => {
    const own = session.snapshot();
    return http === null ? own : { ...own, http: http.status(own.server, own) };
  };
  const watch = { sessions, show, http };
  switch (mode) {
    case 'json':
      return changes(watch, (shown) =>
        process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...shown })}\n`),
      );
    case 'lines':
      return changes(watch, (shown) => out.write(`${describeChange(shown)}\n`));
    case 'live':
      return live(watch, out);
  }
}

interface Watch {
  sessions: readonly GuardSession[];
  show: (session: GuardSession) => Shown;
  http: HttpChildren | null;
}

/** Why: a change is seen on `up`'s own child and on any HTTP child of the same server. */
function onChanges(watch: Watch, listener: (session: GuardSession) => void): () => void {
  const own = watch.sessions.map((session) => [session, () => listener(session)] as const);
  for (const [session, call] of own) session.on('change', call);
  const byServer = (server: string): void => {
    const session = watch.sessions.find((s) => s.server.name === server);
    if (session !== undefined) listener(session);
  };
  watch.http?.on('change', byServer);
  return () => {
    for (const [session, call] of own) session.off('change', call);
    watch.http?.off('change', byServer);
  };
}

/** One line per change of a server's state, pid or client sessions, not per counter update. */
function changes(watch: Watch, emit: (shown: Shown) => void): View {
  const last = new Map<GuardSession, string>();
  const listener = (session: GuardSession): void => {
    const shown = watch.show(session);
    const key = `${shown.state} ${shown.pid} ${shown.http?.sessions} ${shown.http?.stateless}`;
    if (last.get(session) === key) return;
    last.set(session, key);
    emit(shown);
  };
  for (const session of watch.sessions) listener(session);
  const off = onChanges(watch, listener);
  return { print: (text) => process.stderr.write(text), stop: off };
}

export function describeChange(s: Shown): string {
  const time = new Date().toISOString().slice(11, 19);
  const pid = s.pid === null ? '' : ` pid ${s.pid}`;
  const restarts = s.restarts === 0 ? '' : ` (${s.restarts} restart${s.restarts === 1 ? '' : 's'})`;
  const said = s.state === 'restarting' || s.state === 'failed' || s.state === 'stopped';
  const reason = s.reason === null || !said ? '' : `: ${s.reason}`;
  const http = s.http === undefined ? '' : `; http: ${serverFigures(s).sessions} session(s)`;
  return `${time} ${s.server} ${s.state}${pid}${restarts}${reason}${http}`;
}

export function renderLive(shown: readonly Shown[], now = Date.now()): string {
  const http = shown.some((s) => s.http !== undefined);
  return formatTable(
    [
      'SERVER',
      'STATE',
      'PID',
      ...(http ? ['SESSIONS'] : []),
      'UPTIME',
      'RESTARTS',
      'PING',
      'CALLS',
      'DENIED',
      'CPU',
      'MEM',
    ],
    shown.map((s) => {
      const figures = serverFigures(s);
      return [
        s.server,
        s.state,
        s.pid === null ? '-' : String(s.pid),
        ...(http ? [figures.sessions] : []),
        s.since === null ? '-' : formatDuration(Math.max(0, now - s.since)),
        figures.restarts,
        s.lastPing === null ? '-' : `${s.lastPing.ms} ms`,
        figures.calls,
        figures.denials,
        figures.cpu,
        figures.mem,
      ];
    }),
  );
}

function live(watch: Watch, out: NodeJS.WritableStream): View {
  let drawn = 0;
  let pending: NodeJS.Timeout | null = null;
  let lastDraw = 0;
  let stopped = false;
  // Back to the start of the previous table and clear it.
  const rewind = (): string => (drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '');
  const draw = (before = ''): void => {
    pending = null;
    lastDraw = Date.now();
    const text = renderLive(watch.sessions.map(watch.show));
    if (before === '') out.write(`${rewind()}${text}\n`);
    else {
      // The table is cleared, the text written where it stood, the table drawn again below it.
      out.write(rewind());
      process.stderr.write(before);
      out.write(`${text}\n`);
    }
    drawn = text.split('\n').length;
  };
  const soon = (): void => {
    if (pending !== null) return;
    pending = setTimeout(() => draw(), Math.max(0, MIN_REDRAW_MS - (Date.now() - lastDraw)));
  };
  const off = onChanges(watch, soon);
  const tick = setInterval(() => draw(), REDRAW_MS);
  draw();
  return {
    print: (text) => {
      if (stopped) process.stderr.write(text);
      else draw(text);
    },
    stop: () => {
      stopped = true;
      clearInterval(tick);
      if (pending !== null) clearTimeout(pending);
      off();
    },
  };
}
