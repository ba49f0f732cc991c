/**
 * What `up` reports of the servers it started: the handshake table, the warning for servers that
 * run unconfined, and each child's reading for `/metrics`.
 */
import type { ServerConfig } from '../config/types.js';
import type { ServerReading } from '../metrics/guard-metrics.js';
import type { SandboxApplied } from '../sandbox/types.js';
import type { GuardSession } from '../supervisor/guard-session.js';
import type { HandshakeResult } from '../supervisor/handshake.js';
import { sandboxWarning } from '../supervisor/launch.js';
import { formatTable } from './table.js';

/** A server `up` started, with how its handshake went. */
export interface Running {
  server: ServerConfig;
  session: GuardSession;
  handshake: HandshakeResult | Error;
  sandbox: SandboxApplied;
}

/** Each server's child as it is now, for /metrics. */
export function readings(running: readonly Running[]): ServerReading[] {
  return running.map(({ session }) => {
    const s = session.snapshot();
    return { server: s.server, state: s.state, usage: s.usage };
  });
}

/** One line per distinct reason, naming every server it concerns. */
export function warnUnconfined(running: readonly Running[]): void {
  const byText = new Map<string, { names: string[]; sandbox: SandboxApplied }>();
  for (const { server, sandbox } of running) {
    const key = `${sandbox.backend} ${sandbox.requested} ${sandbox.network} ${sandbox.reason} ${sandbox.notes.join()}`;
    const group = byText.get(key) ?? { names: [], sandbox };
    group.names.push(server.name);
    byText.set(key, group);
  }
  for (const { names, sandbox } of byText.values()) {
    const warning = sandboxWarning(names, sandbox);
    if (warning !== null) process.stderr.write(`${warning}\n`);
  }
}

export function renderHandshakes(running: Running[]): string {
  const rows = running.map(({ server, session, handshake }) => {
    const ok = !(handshake instanceof Error);
    const n = (v: number | null | undefined): string =>
      v === null || v === undefined ? '-' : String(v);
    return [
      server.name,
      session.process === null ? '-' : String(session.process.pid),
      ok
        ? session.state
        : `${session.state === 'ready' ? 'unhealthy' : session.state}: ${handshake.message}`,
      ok ? handshake.protocolVersion : '-',
      n(ok ? handshake.tools : null),
      n(ok ? handshake.resources : null),
      n(ok ? handshake.prompts : null),
      ok ? `${handshake.handshakeMs} ms` : '-',
    ];
  });
  return formatTable(
    ['SERVER', 'PID', 'STATE', 'PROTOCOL', 'TOOLS', 'RESOURCES', 'PROMPTS', 'HANDSHAKE'],
    rows,
  );
}
