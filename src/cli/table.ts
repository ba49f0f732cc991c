import type { SessionSnapshot } from '../supervisor/guard-session.js';
import type { HttpStatus } from '../supervisor/status-file.js';

/** Plain aligned columns for terminal tables (no colour, so NO_COLOR and pipes need nothing). */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** 42 s, 5 m 3 s, 2 h 7 m, 3 d 4 h: two units at most. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** What a process tree uses, for tables: `12.5% 3 s` and `48 MiB`; `n/a` where it is unknown. */
export function formatUsage(
  usage: { cpuPercent: number; cpuSeconds: number; rssBytes: number } | null,
  running: boolean,
): { cpu: string; mem: string } {
  if (!running) return { cpu: '-', mem: '-' };
  if (usage === null) return { cpu: 'n/a', mem: 'n/a' };
  return {
    cpu: `${usage.cpuPercent.toFixed(1)}% ${Math.round(usage.cpuSeconds)} s`,
    mem: formatBytes(usage.rssBytes),
  };
}

/** 812 KiB, 48 MiB, 1.5 GiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${Math.round(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${Math.round(bytes / 1024 ** 2)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/**
 * Why: a server's figures for `status` and `up`'s table. Under `up --http` the restarts, calls,
 * denials, CPU and memory are its children's together (`up`'s own and every HTTP client's), and
 * SESSIONS counts the client sessions (`+ shared`: the stateless era's child runs too).
 */
export function serverFigures(s: SessionSnapshot & { http?: HttpStatus }): {
  restarts: string;
  calls: string;
  denials: string;
  cpu: string;
  mem: string;
  sessions: string;
} {
  const total = s.http?.total;
  const usage =
    total === undefined
      ? formatUsage(s.usage, s.pid !== null)
      : formatUsage(total.usage, total.children > 0);
  return {
    restarts: String(total?.restarts ?? s.restarts),
    calls: String(total?.calls ?? s.calls),
    denials: String(total?.denials ?? s.denials),
    ...usage,
    sessions:
      s.http === undefined ? '-' : `${s.http.sessions}${s.http.stateless ? ' + shared' : ''}`,
  };
}
