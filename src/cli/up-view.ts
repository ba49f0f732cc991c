/**
 * What `up` shows while it supervises: on a terminal, a live table redrawn in place (state, pid,
 * uptime, restarts, last ping, calls, denials, CPU and memory per server); otherwise one plain line per change of
 * state, so a log file or CI output stays readable; with `--json`, one JSON object per change on
 * stdout for machines.
 */
import type { GuardSession, SessionSnapshot } from '../supervisor/guard-session.js';
import { formatDuration, formatTable, formatUsage } from './table.js';

export type ViewMode = 'live' | 'lines' | 'json';

/** The live table is redrawn at most this often, and at least this often for uptimes. */
const REDRAW_MS = 1000;
const MIN_REDRAW_MS = 100;

export interface View {
  /** Writes other output (a server's stderr lines) so that the live table stays intact. */
  print(text: string): void;
  stop(): void;
}

/** The live table and the lines go to `out` (the command's output); JSON always to stdout. */
export function startView(
  sessions: readonly GuardSession[],
  mode: ViewMode,
  out: NodeJS.WritableStream,
): View {
  switch (mode) {
    case 'json':
      return changes(sessions, (snapshot) =>
        process.stdout.write(
          `${JSON.stringify({ time: new Date().toISOString(), ...snapshot })}\n`,
        ),
      );
    case 'lines':
      return changes(sessions, (snapshot) => out.write(`${describeChange(snapshot)}\n`));
    case 'live':
      return live(sessions, out);
  }
}

/** One line per change of a server's state (or pid), not per counter update. */
function changes(
  sessions: readonly GuardSession[],
  emit: (snapshot: SessionSnapshot) => void,
): View {
  const last = new Map<GuardSession, string>();
  const listeners = sessions.map((session) => {
    const listener = (): void => {
      const snapshot = session.snapshot();
      const key = `${snapshot.state} ${snapshot.pid}`;
      if (last.get(session) === key) return;
      last.set(session, key);
      emit(snapshot);
    };
    listener();
    session.on('change', listener);
    return { session, listener };
  });
  return {
    print: (text) => process.stderr.write(text),
    stop: () => {
      for (const { session, listener } of listeners) session.off('change', listener);
    },
  };
}

export function describeChange(s: SessionSnapshot): string {
  const time = new Date().toISOString().slice(11, 19);
  const pid = s.pid === null ? '' : ` pid ${s.pid}`;
  const restarts = s.restarts === 0 ? '' : ` (${s.restarts} restart${s.restarts === 1 ? '' : 's'})`;
  const said = s.state === 'restarting' || s.state === 'failed' || s.state === 'stopped';
  const reason = s.reason === null || !said ? '' : `: ${s.reason}`;
  return `${time} ${s.server} ${s.state}${pid}${restarts}${reason}`;
}

export function renderLive(snapshots: readonly SessionSnapshot[], now = Date.now()): string {
  return formatTable(
    ['SERVER', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'PING', 'CALLS', 'DENIED', 'CPU', 'MEM'],
    snapshots.map((s) => [
      s.server,
      s.state,
      s.pid === null ? '-' : String(s.pid),
      s.since === null ? '-' : formatDuration(Math.max(0, now - s.since)),
      String(s.restarts),
      s.lastPing === null ? '-' : `${s.lastPing.ms} ms`,
      String(s.calls),
      String(s.denials),
      ...Object.values(formatUsage(s.usage, s.pid !== null)),
    ]),
  );
}

function live(sessions: readonly GuardSession[], out: NodeJS.WritableStream): View {
  let drawn = 0;
  let pending: NodeJS.Timeout | null = null;
  let lastDraw = 0;
  let stopped = false;
  // Back to the start of the previous table and clear it.
  const rewind = (): string => (drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '');
  const draw = (before = ''): void => {
    pending = null;
    lastDraw = Date.now();
    const text = renderLive(sessions.map((session) => session.snapshot()));
    out.write(`${rewind()}${before}${text}\n`);
    drawn = text.split('\n').length;
  };
  const soon = (): void => {
    if (pending !== null) return;
    pending = setTimeout(() => draw(), Math.max(0, MIN_REDRAW_MS - (Date.now() - lastDraw)));
  };
  for (const session of sessions) session.on('change', soon);
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
      for (const session of sessions) session.off('change', soon);
    },
  };
}
