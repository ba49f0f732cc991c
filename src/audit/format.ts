/**
 * One human line per audit record, for `mcp-guard logs`: local time, level, server, event and the
 * fields that matter for that event. Pure. Record text is made safe for a terminal (control
 * characters escaped), and mcp-guard's own words never say "error" unless the level is error.
 */
import { RECORD_KEYS } from './record-shape.js';
import { escapeForTerminal } from './terminal-safe.js';

/** Why: colour is decided by the caller (TTY and NO_COLOR), never guessed here. */
export interface FormatOptions {
  color: boolean;
}

type Fields = Record<string, unknown>;

const DETAILS: Record<string, (r: Fields) => string> = {
  'rpc.request': (r) => join(text(r.method), kv('id', jsonId(r.id)), kv('tool', r.tool)),
  'rpc.response': (r) =>
    join(
      text(r.method),
      kv('id', jsonId(r.id)),
      kv('tool', r.tool),
      typeof r.durationMs === 'number' ? `${r.durationMs}ms` : '',
      r.isError === true ? 'failed' : '',
      kv('code', r.code),
    ),
  'rpc.notification': (r) => join(text(r.method), text(r.direction)),
  'rpc.invalid': (r) =>
    join(`${text(r.reason)}`, kv('id', jsonId(r.id)), kv('size', r.size), text(r.direction)),
  'policy.deny': (r) =>
    join(
      r.enforced === false ? 'would deny' : '',
      `${text(r.rule)}: ${text(r.reason)}`,
      kv('method', r.method),
      kv('id', jsonId(r.id)),
      kv('tool', r.tool),
      text(r.direction),
      r.enforced === false ? '(observed, not enforced)' : '',
    ),
  'child.spawn': (r) =>
    join(
      kv('pid', r.pid),
      text(r.command),
      Array.isArray(r.args) ? r.args.map(text).join(' ') : '',
    ),
  'child.exit': (r) =>
    join(
      kv('pid', r.pid),
      kv('code', r.code),
      kv('signal', r.signal),
      r.forced === true ? 'forced' : '',
      r.hung === true ? 'hung' : '',
      r.reason === 'maxMemory' ? join('maxMemory', kv('rssBytes', r.rssBytes)) : '',
    ),
  'child.restart': (r) => join(kv('attempt', r.attempt), kv('delayMs', r.delayMs), text(r.reason)),
  'child.failed': (r) => join(text(r.reason), kv('restarts', r.restarts)),
  'child.stderr': (r) => text(r.text),
  'health.fail': (r) => join(text(r.reason), kv('failures', r.failures), kv('of', r.of)),
  'health.skip': (r) => text(r.reason),
  'server.state': (r) => join(`${text(r.from)} → ${text(r.to)}`, kv('cause', r.cause)),
  'session.replay': (r) =>
    join(
      kv('pid', r.pid),
      text(r.failed),
      Array.isArray(r.listsChanged) && r.listsChanged.length > 0
        ? `changed: ${r.listsChanged.map(text).join(', ')}`
        : '',
    ),
  'pin.drift': (r) =>
    join(
      text(r.tool),
      text(r.change),
      kv('mode', r.mode),
      Array.isArray(r.diff) ? `(${r.diff.map(text).join('; ')})` : '',
    ),
  'policy.listing': (r) =>
    join(`${text(r.list)} ${text(r.outcome)}: ${text(r.reason)}`, kv('items', r.items)),
  'pin.lock': (r) => join(text(r.action), text(r.file), kv('tools', r.tools), text(r.reason)),
  'policy.schema': (r) =>
    join(text(r.tool), `${text(r.schema)} does not compile: ${text(r.reason)}`, text(r.effect)),
  'sandbox.applied': (r) => join(text(r.backend), kv('network', r.network), text(r.reason)),
  'guard.start': (r) => join(text(r.command), kv('version', r.version), kv('pid', r.pid)),
  'guard.stop': (r) => join(text(r.reason), kv('signal', r.signal), kv('exitCode', r.exitCode)),
};

/** Keys every record has, or that are too big for one line (see them with --json). */
const NOT_DETAILS = new Set([...RECORD_KEYS, 'body']);

const ANSI = {
  dim: '\x1b[2m',
  cyan: '\x1b[36m',
  yellow: '\x1b[33m',
  red: '\x1b[31m',
  reset: '\x1b[0m',
};

/** Why: the pretty line `logs` prints for one record. */
export function formatRecord(record: Fields, options: FormatOptions): string {
  const level = typeof record.level === 'string' ? record.level : 'info';
  const event = text(record.event);
  const details = DETAILS[event]?.(record) ?? genericDetails(record);
  const paint = (code: string, s: string): string =>
    options.color ? `${code}${s}${ANSI.reset}` : s;
  const levelColor = level === 'error' ? ANSI.red : level === 'warn' ? ANSI.yellow : ANSI.dim;
  return [
    paint(ANSI.dim, formatTime(record.time)),
    paint(levelColor, text(level).padEnd(5)),
    paint(ANSI.cyan, text(record.server).padEnd(10)),
    paint(level === 'info' || level === 'debug' ? '' : levelColor, event.padEnd(15)),
    details,
  ]
    .join(' ')
    .trimEnd();
}

/** Why: local time, short: `MM-DD HH:MM:SS.mmm` (the full ISO time is in the file). */
export function formatTime(value: unknown): string {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) return text(value).padEnd(18);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(
    date.getMinutes(),
  )}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function genericDetails(record: Fields): string {
  return join(
    ...Object.keys(record)
      .filter((key) => !NOT_DETAILS.has(key))
      .map((key) => kv(key, record[key])),
  );
}

/** Ids keep their JSON form: `id=1` and `id="1"` are different requests. */
function jsonId(id: unknown): unknown {
  return typeof id === 'string' ? JSON.stringify(id) : id;
}

function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}

function kv(key: string, value: unknown): string {
  return value === undefined || value === null
    ? ''
    : `${text(key)}=${typeof value === 'string' ? text(value) : text(JSON.stringify(value))}`;
}

/** A value as terminal-safe text: controls, ANSI escapes and bidi overrides are escaped. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return escapeForTerminal(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * Why: `logs --denied` ends with what was refused, by rule, and what most often — the list to
 * read before tightening a policy that ran in `observe` mode. Empty when there is nothing.
 */
export function formatDenialSummary(records: readonly Fields[]): string[] {
  const denials = records.filter((record) => record.event === 'policy.deny');
  if (denials.length === 0) return [];
  const observed = denials.filter((record) => record.enforced === false).length;
  const byRule = new Map<string, Map<string, number>>();
  for (const record of denials) {
    const rule = text(record.rule) || '?';
    const subject =
      typeof record.tool === 'string'
        ? `tool ${text(record.tool)}`
        : text(record.method) || text(record.direction);
    const subjects = byRule.get(rule) ?? new Map<string, number>();
    subjects.set(subject, (subjects.get(subject) ?? 0) + 1);
    byRule.set(rule, subjects);
  }
  const rows = [...byRule]
    .map(([rule, subjects]) => {
      const total = [...subjects.values()].reduce((a, b) => a + b, 0);
      const top = [...subjects]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([subject, count]) => `${subject} ×${count}`);
      const more = subjects.size > 3 ? `, ${subjects.size - 3} more` : '';
      return { rule, total, detail: `${top.join(', ')}${more}` };
    })
    .sort((a, b) => b.total - a.total || a.rule.localeCompare(b.rule));
  const width = Math.max(...rows.map((row) => row.rule.length));
  const count = String(Math.max(...rows.map((row) => row.total))).length;
  const head =
    `${denials.length} refusal${denials.length === 1 ? '' : 's'}` +
    (observed > 0 ? `, ${observed} of them observed (not enforced)` : '');
  return [
    `${head}:`,
    ...rows.map(
      (row) => `  ${row.rule.padEnd(width)}  ${String(row.total).padStart(count)}  ${row.detail}`,
    ),
  ];
}
