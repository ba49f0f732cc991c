/**
 * One server process in its own process group (so its grandchildren can be signalled with it),
 * with stdio pipes owned by mcp-guard, and the stop sequence of SPEC section 5: close stdin and
 * wait up to 1 s, then SIGTERM, then SIGKILL 1 s later. A server confined by bubblewrap is
 * signalled inside its sandbox (bubblewrap does not forward SIGTERM); killing bubblewrap itself
 * kills the sandbox's PID namespace, every process in it included. On Windows, with no signals,
 * the whole tree is ended with `taskkill /T /F`. Without bubblewrap (no sandbox, Landlock) there is
 * no namespace to end: on Linux the launch's tree mark (tree-mark.ts) finds the descendants that
 * left the group, and each step of the stop signals them too.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { GuardError } from '../errors.js';
import { closeInheritedDescriptors, coverOwnLogs } from './inherited-fds.js';
import { liveChildren } from './proc-tree.js';
import type { LaunchPlan } from './launch-plan.js';
import { groupAlive, signalGroup } from './process-group.js';
import { readTreeCpuMs, readTreeUsage, type TreeUsage } from './tree-usage.js';
import { markedProcesses, newTreeMark, signalMarked, TREE_MARK_VAR } from './tree-mark.js';
import { startWatchdog, type Watchdog } from './watchdog.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** mcp-guard had to SIGKILL it. */
  forced: boolean;
  uptimeMs: number;
}

export type StopReason = 'eof' | 'signal';

const GRACE_MS = 1000;
const POLL_MS = 20;
/** How long after the exit its stderr may take to be read to the end (a grandchild may hold it). */
const LAST_WORDS_MS = 250;

export class ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The spawned process: the server itself, or the sandbox wrapper that runs it. */
  readonly pid: number;
  /**
   * Resolves when the process has exited (its group may still hold members until stop()) and
   * what it wrote to stderr has been read, so its last words — bubblewrap's reason for failing
   * to set up the sandbox, say — reach the audit log before anyone acts on the exit.
   */
  readonly exited: Promise<ChildExit>;
  readonly #startedAt = Date.now();
  readonly #watchdog: Watchdog;
  readonly #inSandbox: boolean;
  /** The mark in the environment of everything this launch started, or null (see start()). */
  readonly #mark: string | null;
  /** Process groups inside the bubblewrap sandbox, found when they are first signalled. */
  #inner: number[] = [];
  #forced = false;
  #exit: ChildExit | null = null;

  private constructor(
    child: ChildProcessWithoutNullStreams,
    pid: number,
    inSandbox: boolean,
    mark: string | null,
  ) {
    this.child = child;
    this.pid = pid;
    this.#inSandbox = inSandbox;
    this.#mark = mark;
    this.#watchdog = startWatchdog(pid, mark);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { code, signal, forced: this.#forced, uptimeMs: Date.now() - this.#startedAt };
        this.#exit = exit;
        void ended(child.stderr, LAST_WORDS_MS).then(() => resolve(exit));
      });
    });
  }

  /**
   * Spawns the plan with no shell; rejects with ERR_SPAWN when it cannot start at all, or when
   * the plan refuses the launch (`sandbox.mode: required` where no sandbox works).
   */
  static async start(plan: LaunchPlan): Promise<ServerProcess> {
    if (plan.refusal !== null) throw new GuardError('ERR_SPAWN', plan.refusal);
    await prepareFiles(plan);
    const ownLogs = closeInheritedDescriptors();
    const wrapped = plan.wrapperArgs.length > 0;
    const channels = wrapped ? (plan.filter === undefined ? 1 : 2) : 0;
    // V8's own log files (node started with --perf-basic-prof, --prof…) stay open for V8 and are
    // /dev/null in the server (inherited-fds.ts).
    const nullFd = ownLogs.length > 0 ? openSync('/dev/null', 'r+') : undefined;
    const covers = nullFd === undefined ? [] : coverOwnLogs(3 + channels, ownLogs, nullFd);
    // bubblewrap's PID namespace holds every descendant; elsewhere only a mark finds them all.
    const mark =
      process.platform === 'linux' && plan.sandbox.backend !== 'bwrap' ? newTreeMark() : null;
    const options = {
      cwd: plan.cwd,
      env: mark === null ? plan.env : { ...plan.env, [TREE_MARK_VAR]: mark },
      stdio: [...Array<'pipe'>(3 + channels).fill('pipe'), ...covers] as unknown as [
        'pipe',
        'pipe',
        'pipe',
      ],
      detached: process.platform !== 'win32',
      windowsHide: true,
    };
    let child: ChildProcessWithoutNullStreams;
    if (process.platform === 'win32') {
      // Only Windows needs cross-spawn's handling of .cmd shims such as npx; load it only there.
      const crossSpawn = (await import('cross-spawn')).default;
      child = crossSpawn(plan.command, plan.args, options) as ChildProcessWithoutNullStreams;
    } else {
      try {
        child = spawn(plan.command, plan.args, options);
      } finally {
        // The child has its copy (or there is no child): mcp-guard's own is not needed.
        if (nullFd !== undefined) closeSync(nullFd);
      }
    }
    keepStderr(child);
    if (wrapped) {
      const channel = child.stdio[3] as unknown as Writable;
      channel.on('error', () => undefined);
      channel.end(plan.wrapperArgs.map((arg) => `${arg}\0`).join(''));
    }
    if (wrapped && plan.filter !== undefined) {
      const channel = child.stdio[4] as unknown as Writable;
      channel.on('error', () => undefined);
      channel.end(plan.filter);
    }
    try {
      await Promise.race([
        once(child, 'spawn'),
        once(child, 'error').then(([err]) => Promise.reject(err as Error)),
      ]);
    } catch (err) {
      throw new GuardError(
        'ERR_SPAWN',
        `could not start '${plan.command}': ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    child.stdin.on('error', () => undefined);
    return new ServerProcess(child, child.pid!, plan.sandbox.backend === 'bwrap', mark);
  }

  /**
   * Stops the server and everything in its process group (or sandbox), and every process carrying
   * its tree mark. 'eof' first closes its stdin and waits up to 1 s; both then SIGTERM and SIGKILL
   * 1 s later. Resolves once all is gone.
   */
  async stop(reason: StopReason): Promise<ChildExit> {
    if (reason === 'eof' && this.#exit === null) {
      this.child.stdin.end();
      await this.#waitFor(() => this.#exit !== null, GRACE_MS);
    }
    if (this.#alive()) {
      this.#signal('SIGTERM');
      await this.#waitFor(() => !this.#alive(), GRACE_MS);
    }
    if (this.#alive()) {
      if (this.#exit === null) this.#forced = true;
      this.#signal('SIGKILL');
      await this.#waitFor(() => !this.#alive(), GRACE_MS);
    }
    const exit = await this.exited;
    this.#watchdog.dismiss();
    return exit;
  }

  /** CPU time of the server's process tree (the sandbox's included), in ms; null if unknown. */
  cpuMs(): number | null {
    return this.#exit === null ? readTreeCpuMs(this.pid) : null;
  }

  /** CPU and RSS of the server's process tree (the sandbox's included); null if unknown. */
  usage(): TreeUsage | null {
    return this.#exit === null ? readTreeUsage(this.pid) : null;
  }

  #alive(): boolean {
    if (process.platform === 'win32') return this.#exit === null;
    return (
      groupAlive(this.pid) ||
      this.#inner.some((group) => groupAlive(group)) ||
      (this.#mark !== null && markedProcesses(this.#mark).length > 0)
    );
  }

  #signal(signal: NodeJS.Signals): void {
    if (process.platform === 'win32') {
      // No SIGTERM on Windows: end the whole tree at once (a plain kill would orphan grandchildren).
      spawn('taskkill', ['/T', '/F', '/PID', String(this.pid)], { stdio: 'ignore' }).on(
        'error',
        () => undefined,
      );
      return;
    }
    if (this.#inSandbox) {
      // The sandbox's init shares its group with the server; the init ignores SIGTERM, the
      // server gets it. When the server exits the init exits, and the namespace with it.
      if (this.#inner.length === 0) this.#inner = liveChildren(this.pid);
      for (const group of this.#inner) signalGroup(group, signal);
      if (signal === 'SIGKILL' || this.#inner.length === 0) signalGroup(this.pid, signal);
      return;
    }
    signalGroup(this.pid, signal);
    if (this.#mark !== null) signalMarked(this.#mark, signal, this.pid);
  }

  /** Waits until the condition holds (checked on exit and every 20 ms) or the time is up. */
  async #waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition() && Date.now() < deadline) {
      const tick = new Promise((resolve) =>
        setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))),
      );
      await (this.#exit === null ? Promise.race([this.exited, tick]) : tick);
    }
  }
}

/** Creates the plan's folders (0700) and empty files (0600, never truncated) before the spawn. */
async function prepareFiles(plan: LaunchPlan): Promise<void> {
  const paths = [...plan.createDirs, ...plan.createFiles];
  for (const path of paths) {
    try {
      if (plan.createDirs.includes(path)) {
        await mkdir(path, { recursive: true, mode: 0o700 });
      } else {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        await (await open(path, 'a', 0o600)).close();
      }
    } catch (err) {
      throw new GuardError(
        'ERR_SPAWN',
        `could not create ${path} for the sandbox: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

/** Resolves when the stream has ended (or closed), or after `ms`. */
async function ended(stream: NodeJS.ReadableStream & { readableEnded?: boolean }, ms: number) {
  if (stream.readableEnded === true) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    once(stream, 'end').catch(() => undefined),
    once(stream, 'close'),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/**
 * Node discards what a child wrote to a pipe nobody reads yet when the child exits; a server that
 * fails at once (bubblewrap refusing to set up, say) would lose its only explanation before the
 * session attaches. Its stderr is therefore read from the start into a buffer that the session
 * reads later, as `child.stderr`.
 */
function keepStderr(child: ChildProcessWithoutNullStreams): void {
  const kept = new PassThrough();
  child.stderr.on('error', () => undefined).pipe(kept);
  Object.defineProperty(child, 'stderr', { value: kept, configurable: true });
}
