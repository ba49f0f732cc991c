/**
 * `mcp-guard doctor`: what this machine offers mcp-guard — Node version, platform, the OS sandbox
 * (backend, version, the kernel settings that matter, the trial run's result and the fix; on
 * Linux also Landlock, which backend `auto` takes and what it confines), and whether a manifest is found and valid, with what sandbox each server would get. Exits 1 when
 * something needs fixing.
 */
import type { ServerConfig } from '../config/types.js';
import { GuardError, formatProblem } from '../errors.js';
import { detectSandbox } from '../sandbox/detect.js';
import { landlockCoverage } from '../sandbox/landlock-abi.js';
import { abiOf } from '../sandbox/landlock-probe.js';
import { kernelSettings, linuxFacts } from '../sandbox/diagnose.js';
import { nodeFs } from '../sandbox/fs-view.js';
import type { SandboxSupport } from '../sandbox/types.js';
import { VERSION } from '../version.js';
import { defineCommand, type CommandCall } from './command.js';
import { CONFIG_OPTION } from './config-lookup.js';
import { assertCommandsExist } from './missing-commands.js';

const OPTIONS = { config: CONFIG_OPTION } as const;

export const command = defineCommand({
  name: 'doctor',
  summary: 'what this machine supports',
  usage: ['doctor [-c FILE]'],
  description: `Shows what this machine supports: Node version, platform, the OS sandbox
    (backend, version, kernel settings, whether a trial run works and how to fix it), and the
    manifest found (whether it is valid, and what sandbox each server would get).`,
  options: OPTIONS,
  output: 'stdout',
  run: async (call) => diagnose(call, await detectSandbox()),
});

const MIN_NODE: readonly [number, number] = [20, 5];

/**
 * Why: Landlock, the second Linux backend — whether it works, which backend `auto` takes and why,
 * what Landlock confines and what not, and how to get bubblewrap instead.
 */
export function landlockLines(auto: SandboxSupport, landlock: SandboxSupport): string[] {
  const pad = '           ';
  const lines = landlock.usable
    ? [`landlock   ${landlock.version ?? ''} (works)`]
    : [
        `landlock   does not work: ${landlock.cause}`,
        ...(landlock.fix === null ? [] : [`${pad}fix:   ${landlock.fix}`]),
      ];
  if (auto.backend === 'bwrap' && auto.usable) {
    return [...lines, 'backend    auto uses bubblewrap: it works here (the stronger isolation)'];
  }
  if (auto.backend !== 'landlock' || !auto.usable) {
    return [...lines, 'backend    auto: no OS sandbox works here'];
  }
  const bwrap = auto.passedOver?.[0];
  const { confines, limits } = landlockCoverage(abiOf(auto.version), 'deny');
  const list = (title: string, items: string[]) =>
    items.map((item, i) => `${pad}${i === 0 ? title : ' '.repeat(title.length)}${item}`);
  lines.push(
    `backend    auto uses Landlock: bubblewrap cannot run here (${bwrap?.cause ?? 'its trial failed'})`,
    ...list('confines:         ', confines),
    ...list('does not confine: ', limits),
  );
  if (bwrap?.fix != null) lines.push(`${pad}for bubblewrap's stronger isolation: ${bwrap.fix}`);
  return lines;
}

/** Why: the lines about the OS sandbox, and whether it needs fixing. */
export function sandboxLines(
  support: SandboxSupport,
  platform: NodeJS.Platform,
  kernel: [string, string][],
): { lines: string[]; healthy: boolean } {
  const pad = '           ';
  if (support.backend === 'none') {
    return { lines: [`sandbox    none: ${support.cause}`, `${pad}${support.fix}`], healthy: true };
  }
  const name = { bwrap: 'bubblewrap', landlock: 'Landlock', 'sandbox-exec': 'sandbox-exec' }[
    support.backend
  ];
  const where = support.binary === null ? 'not found' : support.binary;
  const version = support.version === null ? '' : ` ${support.version}`;
  const lines = [`sandbox    ${name}${version} (${where})`];
  if (support.usable) lines.push(`${pad}trial run of the exact flags: works`);
  else {
    lines.push(`${pad}trial run of the exact flags: does not work`);
    lines.push(`${pad}cause: ${support.cause}`);
    lines.push(`${pad}fix:   ${support.fix}`);
    if (support.detail !== null && !(support.cause ?? '').includes(support.detail)) {
      for (const line of support.detail.split('\n')) lines.push(`${pad}  ${line}`);
    }
  }
  if (platform === 'linux') {
    kernel.forEach(([setting, value], i) =>
      lines.push(`${i === 0 ? 'kernel     ' : pad}${setting} = ${value}`),
    );
  }
  return { lines, healthy: support.usable };
}

/** Why: what one server's launch would get here (`support`: the trial of its sandbox.backend). */
export function serverSandbox(server: ServerConfig, support: SandboxSupport): string {
  const { mode, network } = server.sandbox;
  if (mode === 'off') return 'sandbox off: runs unconfined';
  if (support.usable) return `${support.backend}, network ${network}`;
  const wanted = server.sandbox.backend ?? 'auto';
  const none =
    wanted === 'auto' ? 'no OS sandbox works here' : `sandbox.backend ${wanted} does not work here`;
  return mode === 'required'
    ? `refuses to start (sandbox.mode: required, and ${none})`
    : `runs unconfined (sandbox.mode: auto, and ${none})`;
}

async function diagnose(call: CommandCall<typeof OPTIONS>, auto: SandboxSupport): Promise<number> {
  const lines: string[] = [];
  let healthy = true;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  healthy &&= nodeOk;
  lines.push(`mcp-guard  ${VERSION}`);
  lines.push(
    `node       ${process.versions.node} ${nodeOk ? '(ok)' : `(too old: needs >= ${MIN_NODE.join('.')})`}`,
  );
  lines.push(`platform   ${process.platform} ${process.arch}`);
  // The strongest backend's own lines (bubblewrap's failure when auto fell back to Landlock).
  const strongest = auto.backend === 'landlock' ? (auto.passedOver?.[0] ?? auto) : auto;
  const sandbox = sandboxLines(
    strongest,
    process.platform,
    process.platform === 'linux' ? kernelSettings(linuxFacts(nodeFs)) : [],
  );
  healthy &&= sandbox.healthy || auto.usable;
  lines.push(...sandbox.lines);
  if (process.platform === 'linux') {
    lines.push(...landlockLines(auto, await detectSandbox('landlock')));
  }
  try {
    const file = call.config.find();
    try {
      const manifest = call.config.load(file);
      assertCommandsExist(manifest, call.ctx);
      const names = Object.keys(manifest.servers);
      lines.push(
        `manifest   ${file} (valid; ${names.length} server(s): ${names.join(', ') || 'none'})`,
      );
      for (const server of Object.values(manifest.servers)) {
        const support = await detectSandbox(server.sandbox.backend ?? 'auto');
        lines.push(`           ${server.name}: ${serverSandbox(server, support)}`);
        healthy &&= support.usable || server.sandbox.mode !== 'required';
      }
      lines.push(`audit log  ${manifest.audit.file}`);
    } catch (err) {
      if (!(err instanceof GuardError)) throw err;
      healthy = false;
      lines.push(`manifest   ${file} (invalid: ${err.problems.length} problem(s))`);
      for (const problem of err.problems) lines.push(`           ${formatProblem(problem)}`);
    }
  } catch (err) {
    if (!(err instanceof GuardError)) throw err;
    lines.push(`manifest   none found (${err.message}); 'mcp-guard run -- CMD' works without one`);
  }
  call.out.write(`${lines.join('\n')}\n`);
  return healthy ? 0 : 1;
}
