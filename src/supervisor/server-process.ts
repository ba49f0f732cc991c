/**
 * One server process in its own process group (so its grandchildren can be signalled with it),
 * with stdio pipes owned by mcp-guard, and the stop sequence of SPEC section 5: close stdin and
 * wait up to 1 s, then SIGTERM the group, then SIGKILL it 1 s later.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { GuardError } from '../errors.js';
import type { LaunchPlan } from './launch-plan.js';
import { groupAlive, signalGroup } from './process-group.js';
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

export class ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Resolves when the process has exited (its group may still hold members until stop()). */
  readonly exited: Promise<ChildExit>;
  readonly #startedAt = Date.now();
  readonly #watchdog: Watchdog;
  #forced = false;
  #exit: ChildExit | null = null;

  private constructor(child: ChildProcessWithoutNullStreams, pid: number) {
    this.child = child;
    this.pid = pid;
    this.#watchdog = startWatchdog(pid);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal, forced: this.#forced, uptimeMs: Date.now() - this.#startedAt };
        resolve(this.#exit);
      });
    });
  }

  /** Spawns the plan with no shell; rejects with ERR_SPAWN when it cannot start at all. */
  static async start(plan: LaunchPlan): Promise<ServerProcess> {
    const options = {
      cwd: plan.cwd,
      env: plan.env,
      stdio: ['pipe', 'pipe', 'pipe'] as ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    };
    let child: ChildProcessWithoutNullStreams;
    if (process.platform === 'win32') {
      // Only Windows needs cross-spawn's handling of .cmd shims such as npx; load it only there.
      const crossSpawn = (await import('cross-spawn')).default;
      child = crossSpawn(plan.command, plan.args, options) as ChildProcessWithoutNullStreams;
    } else {
      child = spawn(plan.command, plan.args, options);
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
    return new ServerProcess(child, child.pid!);
  }

  /**
   * Stops the server and everything in its process group. 'eof' first closes its stdin and waits
   * up to 1 s; both then SIGTERM the group and SIGKILL it 1 s later. Resolves once the group is gone.
   */
  async stop(reason: StopReason): Promise<ChildExit> {
    if (reason === 'eof' && this.#exit === null) {
      this.child.stdin.end();
      await this.#waitFor(() => this.#exit !== null, GRACE_MS);
    }
    if (this.#groupAlive()) {
      this.#signal('SIGTERM');
      await this.#waitFor(() => !this.#groupAlive(), GRACE_MS);
    }
    if (this.#groupAlive()) {
      if (this.#exit === null) this.#forced = true;
      this.#signal('SIGKILL');
      await this.#waitFor(() => !this.#groupAlive(), GRACE_MS);
    }
    const exit = await this.exited;
    this.#watchdog.dismiss();
    return exit;
  }

  #groupAlive(): boolean {
    if (process.platform === 'win32') return this.#exit === null;
    return groupAlive(this.pid);
  }

  #signal(signal: NodeJS.Signals): void {
    if (process.platform === 'win32') {
      if (signal === 'SIGKILL')
        spawn('taskkill', ['/T', '/F', '/PID', String(this.pid)], { stdio: 'ignore' });
      else this.child.kill(signal);
      return;
    }
    signalGroup(this.pid, signal);
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
