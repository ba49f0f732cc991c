/**
 * Status files (SPEC section 2, `status`): every running `run` and `up` reports each of its
 * servers in `<stateDir>/status/<server>.<pid>.json`, so `mcp-guard status` can show what runs
 * without talking to it. Written atomically (a temporary file renamed over the old one), at once on
 * a change of state and at most every `THROTTLE_MS` for counters; removed on exit. A file whose
 * process is gone (killed, crashed) is stale: readers ignore and delete it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { processAlive } from './process-group.js';
import type { GuardSession, SessionSnapshot } from './guard-session.js';
import type { ResourceSample } from './resource-watch.js';

export interface StatusRecord extends SessionSnapshot {
  /** The mcp-guard process (`run` or `up`) that supervises the server. */
  guardPid: number;
  command: 'run' | 'up';
  manifest: string | null;
  /** The OS sandbox actually in use, when known. */
  sandbox?: string;
  /** What the mcp-guard process itself uses (counted apart from the server's tree). */
  guardUsage?: { cpuSeconds: number; rssBytes: number };
  /** `up --http`: the children it runs for this server's HTTP clients, and the server's totals. */
  http?: HttpStatus;
  /** ISO 8601, when this file was written. */
  updatedAt: string;
}

/** A server's children together (`up`'s own and its HTTP clients'): what its `status` row shows. */
export interface Totals {
  /** Children running. */
  children: number;
  restarts: number;
  calls: number;
  denials: number;
  /** Summed over the children sampled; null when none is. */
  usage: Omit<ResourceSample, 'at'> | null;
}

export interface HttpStatus {
  /** Session-era client sessions open, each with a child of its own. */
  sessions: number;
  /** Whether the child shared by stateless-era requests runs. */
  stateless: boolean;
  /** Each of those children: its snapshot, its `Mcp-Session-Id` (null: the shared one), its client. */
  children: (SessionSnapshot & { session: string | null; remote: string | null })[];
  /** `up`'s own child and these together. */
  total: Totals;
}

type StatusExtra = Pick<StatusRecord, 'command' | 'manifest'> & {
  sandbox?: string;
  /** `up --http`: its HTTP children of this server, read at each write. */
  http?: (own: SessionSnapshot) => HttpStatus;
};

/** Counters (calls, pings) are written at most this often; state changes at once. */
const THROTTLE_MS = 1000;

export function statusDir(stateDir: string): string {
  return join(stateDir, 'status');
}

/** Keeps one session's status file up to date until `close()`. */
export class StatusFile {
  readonly path: string;
  readonly #session: GuardSession;
  readonly #extra: StatusExtra;
  #lastState: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(stateDir: string, session: GuardSession, extra: StatusExtra) {
    const dir = statusDir(stateDir);
    this.path = join(dir, `${safeName(session.server.name)}.${process.pid}.json`);
    this.#session = session;
    this.#extra = extra;
    try {
      mkdirSync(dir, { recursive: true });
    } catch {
      // Reported by the first write, which fails too.
    }
    session.on('change', () => this.changed());
    this.write();
  }

  /** Writes the current snapshot now (atomically). A failed write is not fatal to the relay. */
  write(): void {
    if (this.#closed) return;
    const snapshot = this.#session.snapshot();
    this.#lastState = snapshot.state;
    const { http, ...extra } = this.#extra;
    const record: StatusRecord = {
      ...snapshot,
      guardPid: process.pid,
      guardUsage: ownUsage(),
      ...extra,
      ...(http === undefined ? {} : { http: http(snapshot) }),
      updatedAt: new Date().toISOString(),
    };
    try {
      // The path holds the pid already; readStatus knows `<name>.<pid>.json.tmp` as in progress.
      writeFileAtomic(this.path, `${JSON.stringify(record)}\n`, { temporary: `${this.path}.tmp` });
    } catch {
      // The state folder is not writable: `status` will not list this server, nothing else breaks.
    }
  }

  /** Removes the file; later changes are ignored. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.tmp`, { force: true });
  }

  /** Why: something shown changed: a new state is written at once, counters at most every second. */
  changed(): void {
    if (this.#closed) return;
    if (this.#session.state !== this.#lastState) {
      this.write();
      return;
    }
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.write();
    }, THROTTLE_MS);
    this.#timer.unref();
  }
}

/**
 * The status records of live processes in `stateDir`, by server name then pid. Files of processes
 * that are gone, and unreadable files, are deleted.
 */
export function readStatus(stateDir: string): StatusRecord[] {
  const dir = statusDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const records: StatusRecord[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const match = /\.(\d+)\.json(\.tmp)?$/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (!processAlive(pid)) {
      rmSync(path, { force: true });
      continue;
    }
    if (match[2] !== undefined) continue;
    try {
      const record = JSON.parse(readFileSync(path, 'utf8')) as StatusRecord;
      if (record.guardPid === pid) records.push(record);
    } catch {
      // Being replaced right now, or damaged: skipped this time.
    }
  }
  return records.sort((a, b) => a.server.localeCompare(b.server) || a.guardPid - b.guardPid);
}

/** This process's CPU time (user + system) and RSS. */
export function ownUsage(): { cpuSeconds: number; rssBytes: number } {
  const cpu = process.cpuUsage();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage.rss() };
}

/** File names keep to letters, digits, `-`, `_` and `.`; anything else becomes `_`. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
