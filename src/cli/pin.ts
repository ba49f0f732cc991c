/**
 * `mcp-guard pin [SERVER…] [--check]`: starts each server the way `up` does, lists its tools, and
 * records their definitions in `mcp-guard.lock` beside the manifest — or, with `--check`,
 * compares them with it and exits 1 on any drift (for CI). The report goes to the command's
 * declared output; diagnostics and the servers' stderr to stderr.
 */
import { guardStop } from '../audit/event-constructors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ResolvedManifest, ServerConfig } from '../config/types.js';
import { GuardError } from '../errors.js';
import type { CatalogItem } from '../policy/catalog.js';
import { createPipeline, type PolicyCheck } from '../policy/pipeline.js';
import { compareTools, type ToolDrift } from '../policy/pin/compare.js';
import { pinTool } from '../policy/pin/definition.js';
import {
  lockFileFor,
  readLock,
  writeLockEntries,
  type Lock,
  type PinnedTools,
} from '../policy/pin/lock-file.js';
import { withParams } from '../policy/message.js';
import { createRootsCheck } from '../policy/roots.js';
import { PASS } from '../policy/verdict.js';
import { META_CLIENT_CAPABILITIES, requestMeta, statelessVersionOf } from '../protocol/era.js';
import { isObject } from '../protocol/jsonrpc.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION, PROFILE_OPTION } from './config-lookup.js';
import { handshake, launchGuarded, openGuardAudit, superviseGuarded } from './guarded-session.js';

const OPTIONS = {
  config: CONFIG_OPTION,
  profile: PROFILE_OPTION,
  check: {
    type: 'boolean',
    help: "record nothing; exit 1 if any server's tools differ from mcp-guard.lock",
  },
} as const;

export const command = defineCommand({
  name: 'pin',
  summary: 'record (or, with --check, verify) the tool definitions in mcp-guard.lock',
  usage: ['pin [-c FILE] [--profile P] [--check] [SERVER…]'],
  description: `Starts each server (the named ones, or every server whose tools.pin is not off),
    lists its tools, and records their definitions in mcp-guard.lock beside the manifest. Commit
    that file: under tools.pin: block, a tool whose definition differs from it is hidden and
    refused.`,
  options: OPTIONS,
  operands: true,
  output: 'stdout',
  run: pin,
});

type Listed =
  { server: string; tools: ReadonlyMap<string, CatalogItem> } | { server: string; failure: string };

async function pin(call: CommandCall<typeof OPTIONS>): Promise<number> {
  const { values, operands, out } = call;
  const { file, manifest, named } = call.config.servers(operands);
  const servers =
    named ?? Object.values(manifest.servers).filter((server) => server.tools.pin !== 'off');
  const lockFile = lockFileFor(file);
  const lock = readLockOrThrow(lockFile);
  if (servers.length === 0) {
    process.stderr.write(`mcp-guard: no server of ${file} is pinned (tools.pin: off)\n`);
    return 0;
  }

  const audit = await openGuardAudit(manifest, '-', {
    manifest: file,
    command: values.check === true ? 'pin --check' : 'pin',
    servers: servers.map((server) => server.name),
  });
  const listed = await Promise.all(servers.map((server) => listTools(server, manifest, audit)));
  audit.record('-', guardStop({ reason: 'pin finished' }));
  audit.close();

  const failed = listed.filter((entry) => 'failure' in entry);
  for (const entry of failed) {
    process.stderr.write(
      `mcp-guard: ${entry.server}: could not list its tools: ${entry.failure}\n`,
    );
  }
  const ok = listed.filter((entry) => 'tools' in entry);
  if (values.check === true) return check(ok, lock, lockFile, out) && failed.length === 0 ? 0 : 1;
  approve(ok, lock, lockFile, operands.length === 0 ? manifest.servers : undefined, out);
  return failed.length === 0 ? 0 : 1;
}

function readLockOrThrow(file: string): Lock | null {
  try {
    return readLock(file);
  } catch (err) {
    throw new GuardError('ERR_LOCK', (err as Error).message, { cause: err });
  }
}

/** Prints each server's drift; true when every one matches the lock. */
function check(
  listed: readonly { server: string; tools: ReadonlyMap<string, CatalogItem> }[],
  lock: Lock | null,
  lockFile: string,
  out: NodeJS.WritableStream,
): boolean {
  let clean = true;
  for (const { server, tools } of listed) {
    const pinned =
      lock !== null && Object.hasOwn(lock.servers, server) ? lock.servers[server]!.tools : null;
    if (pinned === null) {
      clean = false;
      out.write(`${server}: not pinned in ${lockFile}; run 'mcp-guard pin ${server}'\n`);
      continue;
    }
    const drift = compareTools(pinned, tools, true);
    if (drift.length === 0) {
      out.write(`${server}: ${tools.size} tool(s) match ${lockFile}\n`);
      continue;
    }
    clean = false;
    out.write(`${server}: ${summary(drift)} since ${lockFile}:\n${describe(drift)}`);
  }
  if (!clean) out.write(`Approve the current definitions with 'mcp-guard pin'.\n`);
  return clean;
}

/** Writes the listed servers' tools into the lock (on a full run, dropping servers now gone). */
function approve(
  listed: readonly { server: string; tools: ReadonlyMap<string, CatalogItem> }[],
  lock: Lock | null,
  lockFile: string,
  manifestServers: Record<string, ServerConfig> | undefined,
  out: NodeJS.WritableStream,
): void {
  const entries: Record<string, PinnedTools | null> = {};
  for (const { server, tools } of listed) {
    const pinned: PinnedTools = {};
    for (const [name, item] of tools) {
      Object.defineProperty(pinned, name, { value: pinTool(item, name), enumerable: true });
    }
    Object.defineProperty(entries, server, { value: pinned, enumerable: true });
    const before =
      lock !== null && Object.hasOwn(lock.servers, server) ? lock.servers[server]!.tools : null;
    const drift = before === null ? [] : compareTools(before, tools, true);
    const what =
      before === null
        ? `pinned ${tools.size} tool(s)`
        : drift.length === 0
          ? `${tools.size} tool(s) unchanged`
          : `pinned ${tools.size} tool(s); ${summary(drift)}`;
    out.write(`${server}: ${what}\n${describe(drift)}`);
  }
  if (manifestServers !== undefined && lock !== null) {
    for (const server of Object.keys(lock.servers)) {
      if (Object.hasOwn(manifestServers, server)) continue;
      Object.defineProperty(entries, server, { value: null, enumerable: true });
      out.write(`${server}: no longer in the manifest; removed from the lock\n`);
    }
  }
  try {
    writeLockEntries(lockFile, entries);
  } catch (err) {
    throw new GuardError('ERR_LOCK', `could not write ${lockFile}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  out.write(`Wrote ${lockFile}\n`);
}

function summary(drift: readonly ToolDrift[]): string {
  const count = (change: ToolDrift['change']) => drift.filter((d) => d.change === change).length;
  return `${count('changed')} changed, ${count('added')} added, ${count('removed')} removed`;
}

function describe(drift: readonly ToolDrift[]): string {
  return drift
    .map((d) => `  ${d.change} ${d.tool}\n${d.diff.map((line) => `      ${line}\n`).join('')}`)
    .join('');
}

/**
 * Some servers offer tools only to clients that can sample or elicit (server-everything does):
 * the listing declares every capability the server's policy lets a client declare, so the lock
 * holds every tool a session may be offered, in either era. (Requests the server might send meanwhile are
 * answered by the relay, since the real client — this command — declared none.)
 */
function declareCapabilities(server: ServerConfig): PolicyCheck {
  const declared: Record<string, object> = {};
  if (server.sampling === 'allow') declared.sampling = {};
  if (server.elicitation === 'allow') declared.elicitation = {};
  return {
    name: 'pin-capabilities',
    check(message, context) {
      if (
        context.direction !== 'client-to-server' ||
        message.kind !== 'request' ||
        !isObject(message.params)
      ) {
        return PASS;
      }
      // The session era declares them in `initialize`, the stateless era in each request's _meta.
      const stateless = message.method !== 'initialize';
      const holder = stateless ? requestMeta(message.params) : message.params;
      const key = stateless ? META_CLIENT_CAPABILITIES : 'capabilities';
      if (holder === undefined || (stateless && statelessVersionOf(message.params) === undefined))
        return PASS;
      const capabilities = isObject(holder[key]) ? holder[key] : {};
      const rewritten = { ...holder, [key]: { ...capabilities, ...declared } };
      const params = stateless ? { ...message.params, _meta: rewritten } : rewritten;
      return { action: 'rewrite', message: withParams(message, params) };
    },
  };
}

/**
 * Starts the server behind mcp-guard's relay (roots declared as in a real session, sampling and
 * elicitation as the policy allows a client to), performs the handshake, and returns the tools
 * exactly as the server advertised them.
 */
async function listTools(
  server: ServerConfig,
  manifest: ResolvedManifest,
  audit: AuditLog,
): Promise<Listed> {
  // Launched as `run` launches it (the same sandbox), so it offers the tools it would offer there.
  const launched = await launchGuarded(server, manifest, audit);
  if (launched.process instanceof Error)
    return { server: server.name, failure: launched.process.message };
  const checks: PolicyCheck[] = [declareCapabilities(server)];
  if (server.paths.roots.length > 0) checks.push(createRootsCheck(server.paths.roots));
  const guarded = await superviseGuarded(launched, {
    pipeline: createPipeline(checks),
    stderr: process.stderr,
    stderrPrefix: `[${server.name}] `,
  });
  try {
    const shaken = await handshake(guarded);
    const list = guarded.session.relay.catalog.list('tools');
    if (shaken.tools !== null && !list.complete) {
      return { server: server.name, failure: 'its tools/list did not reach the last page' };
    }
    return { server: server.name, tools: new Map(list.items) };
  } catch (err) {
    return { server: server.name, failure: err instanceof Error ? err.message : String(err) };
  } finally {
    guarded.client?.close();
    await guarded.session.stop('eof');
  }
}
