/** A fake clock, a fake child and an audit collector for the supervisor's unit tests. */
import { PassThrough } from 'node:stream';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import { builtinDefaults } from '../../../src/config/builtin-defaults.js';
import type { ServerConfig } from '../../../src/config/types.js';
import type { TreeUsage } from '../../../src/supervisor/tree-usage.js';
import type { Clock, Timer } from '../../../src/supervisor/clock.js';
import type { ChildExit, StopReason } from '../../../src/supervisor/server-process.js';
import type { SupervisedChild } from '../../../src/supervisor/supervised-child.js';
import { fieldsOf } from '../../../src/audit/event-constructors.js';

interface FakeTimer extends Timer {
  at: number;
  seq: number;
  callback: () => void;
  refed: boolean;
}

/** Lets pending promise continuations (and stream events) run; no time passes. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Time moves only when the test says so; due timers fire in order, continuations between them. */
export class FakeClock implements Clock {
  readonly origin = 1_800_000_000_000;
  #now = 0;
  /** How far the wall clock is ahead of the monotonic one (a laptop that slept). */
  #wallAhead = 0;
  #seq = 0;
  #timers: FakeTimer[] = [];

  now(): number {
    return this.#now;
  }

  wall(): number {
    return this.origin + this.#now + this.#wallAhead;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer: FakeTimer = {
      at: this.#now + ms,
      seq: this.#seq++,
      callback,
      refed: true,
      unref() {
        timer.refed = false;
      },
    };
    this.#timers.push(timer);
    return timer;
  }

  clearTimeout(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
  }

  /** Timers waiting, with whether each keeps the process alive. */
  get pending(): { in: number; refed: boolean }[] {
    return this.#timers.map((t) => ({ in: t.at - this.#now, refed: t.refed }));
  }

  /** The wall clock jumps ahead (the monotonic one does not). */
  jumpWall(ms: number): void {
    this.#wallAhead += ms;
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const due = this.#timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** A child made of three streams; it exits when the test says so, or when stopped. */
export class FakeChild implements SupervisedChild {
  readonly child = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
  };
  readonly exited: Promise<ChildExit>;
  readonly stops: StopReason[] = [];
  /** What cpuMs() reports: the CPU time of its tree so far (null: unknown). */
  cpu: number | null = 0;
  #resolve!: (exit: ChildExit) => void;
  #exit: ChildExit | null = null;

  constructor(readonly pid: number) {
    this.exited = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** The process ends by itself (its streams end with it). */
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.#exit !== null) return;
    this.#exit = { code, signal, forced: false, uptimeMs: 0 };
    this.child.stdout.end();
    this.child.stderr.end();
    this.#resolve(this.#exit);
  }

  cpuMs(): number | null {
    return this.cpu;
  }

  /** What usage() reports: its tree's CPU and memory (null: unknown). */
  tree: TreeUsage | null = null;

  usage(): TreeUsage | null {
    return this.tree;
  }

  stop(reason: StopReason): Promise<ChildExit> {
    this.stops.push(reason);
    this.exit(reason === 'eof' ? 0 : null, reason === 'eof' ? null : 'SIGTERM');
    return this.exited;
  }
}

export interface AuditRecord {
  event: string;
  fields: Record<string, unknown>;
  level: string;
}

/** An audit sink that keeps what it is given. */
export function collectAudit(): AuditSink & { records: AuditRecord[]; events(): string[] } {
  const records: AuditRecord[] = [];
  return {
    bodies: false,
    records,
    record: (_server, event) =>
      void records.push({ event: event.name, fields: fieldsOf(event), level: event.level }),
    events: () => records.map((r) => r.event),
  };
}

/** A resolved server with the built-in defaults; `over` adjusts it. */
export function serverConfig(over: (s: ServerConfig) => void = () => undefined): ServerConfig {
  const s: ServerConfig = {
    name: 'srv',
    command: 'node',
    args: ['server.js'],
    cwd: '/',
    ...builtinDefaults('linux'),
  };
  over(s);
  return s;
}
