/**
 * What a confined server sees of the host, whatever the backend: its program (read-only), its
 * roots (read-write) and read-only paths, all by real path; what must stay hidden inside them
 * (deny matches, sockets, the user's runtime folder and agent sockets, mcp-guard's own state and
 * audit log); what it may read but never change (the manifest and its lock); and its private
 * package cache. The backends (bwrap.ts, seatbelt.ts) only turn this into their own language.
 */
import { posix } from 'node:path';
import type { AllowDeny, ServerConfig } from '../config/types.js';
import type { FsView } from './fs-view.js';
import { findMasks, type Masks } from './masks.js';
import { isWithin } from '../policy/paths/within.js';
import { clean } from './path-utils.js';
import { plantedLink } from './planted-links.js';
import { cacheDirFor, cacheEnv } from './private-cache.js';
import { resolveProgram } from './program.js';

export interface ViewInput {
  server: ServerConfig;
  /** The server's environment before the sandbox adds to it (inheritEnv + env). */
  env: Readonly<Record<string, string>>;
  /** mcp-guard's own environment: HOME, XDG_RUNTIME_DIR, SSH_AUTH_SOCK, DOCKER_HOST. */
  hostEnv: NodeJS.ProcessEnv;
  /** The manifest's state folder (`.mcp-guard/`): hidden, except this server's cache. */
  stateDir: string;
  /** Files the server may read but never change (the manifest, its lock, profiles). */
  protect: readonly string[];
  /**
   * Folders the server may read but never change (the project's `profiles/`, the user's
   * configuration folder): created first when missing and a root would make them writable.
   */
  protectFolders?: readonly string[];
  /**
   * Folders some confined server of the manifest may write (every server's roots): a symlink
   * found there was perhaps planted by one, and is never followed to decide what is shown.
   */
  writable?: readonly string[];
  /** Host paths the server must never see (the audit log). */
  hide: readonly string[];
  /** The network the launch gets (`prepare` allows it whatever the manifest says). */
  network: AllowDeny;
  /** Folders the backend always shows read-only (`/usr`, `/etc`…): not searched, not added. */
  system: readonly string[];
  /** Most directory entries searched for deny matches and sockets. */
  budget: number;
}

export interface SandboxView {
  /** The program to execute, or null when the command does not exist. */
  exec: string | null;
  /** Real path of the working directory. */
  cwd: string;
  /** `$HOME` as the server knows it, and its real path. */
  home: string | null;
  homeReal: string | null;
  /** Real paths shown read-only for the program itself. */
  program: string[];
  /** Real paths shown read-write. */
  roots: string[];
  /** Real paths shown read-only. */
  readOnly: string[];
  /** Configured paths that reach a root or read-only path through a symlink: `path` → `target`. */
  links: { path: string; target: string }[];
  /** Deny matches and sockets inside what is shown. */
  masks: Masks;
  /** Host runtime folders, agent and docker sockets, the audit log, when otherwise visible. */
  hidden: { dirs: string[]; files: string[] };
  /** Visible and writable files that must stay read-only (the manifest, its lock). */
  protect: string[];
  /** Hidden files that do not exist yet (the audit log before its first record): create them. */
  create: string[];
  /** Protected folders that do not exist yet: created (empty) first, so they can be protected. */
  createDirs: string[];
  /** Set when the launch must not happen (a path reached through a planted symlink): why. */
  refusal: string | null;
  /** The state folder, when something shown would reveal it (it is then masked). */
  stateDir: string | null;
  /** This server's private cache (created before launch, read-write). */
  cacheDir: string;
  env: Record<string, string>;
  notes: string[];
}

const DOCKER_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];

/** Why: one description of the confinement, so both backends mean the same thing. */
export function buildView(input: ViewInput, fs: FsView): SandboxView {
  const { server, hostEnv } = input;
  const notes: string[] = [];
  const home = absolute(hostEnv.HOME);
  const real = (path: string): string => realLoose(path, fs);
  const cacheDir = real(cacheDirFor(input.stateDir, server.name));
  const env = { ...input.env };
  Object.assign(env, cacheEnv(cacheDir, input.network), server.env);

  const writable = unique([...(input.writable ?? []), ...server.paths.roots].map(real));
  const planted: string[] = [];
  const existing = (paths: readonly string[], key: string): { given: string; real: string }[] =>
    paths.flatMap((given) => {
      const link = plantedLink(given, writable, fs);
      if (link !== null) {
        planted.push(`${link} (reached by ${key} ${given})`);
        return [];
      }
      const target = fs.realpath(given);
      if (target === null) notes.push(`${key} ${given} does not exist: not shown`);
      return target === null ? [] : [{ given: clean(given), real: target }];
    });
  const readOnlyPaths = existing(server.paths.readOnly, 'paths.readOnly');
  const readOnly = unique(readOnlyPaths.map((p) => p.real));
  const rootPaths = existing(server.paths.roots, 'paths.roots');
  const roots = unique(rootPaths.map((p) => p.real)).filter((p) => !readOnly.includes(p));
  const program = resolveProgram(
    {
      command: server.command,
      args: server.args,
      cwd: server.cwd,
      searchPath: env.PATH ?? hostEnv.PATH ?? '',
      home,
      visible: input.system,
      writable,
    },
    fs,
  );
  planted.push(...program.planted.map((link) => `${link} (reached finding the program)`));
  const programPaths = program.readOnly.filter((p) => !roots.includes(p) && !readOnly.includes(p));
  const shown = [...input.system, ...programPaths, ...roots, ...readOnly];
  const covered = (path: string): boolean => shown.some((v) => isWithin(path, v));

  // A configured path that is a symlink stays usable: recreated unless the host's own link is
  // already visible (its real folder is shown), or it lies behind another such link.
  const links = [...rootPaths, ...readOnlyPaths]
    .filter(
      (p) =>
        p.given !== p.real && !covered(real(posix.dirname(p.given))) && !isWithin(p.real, p.given),
    )
    .map((p) => ({ path: p.given, target: p.real }));

  const stateReal = real(input.stateDir);
  const searched = [...programPaths, ...roots, ...readOnly];
  const masks = findMasks(
    {
      walk: outermost(searched),
      deny: server.paths.deny,
      visible: shown,
      budget: input.budget,
      skip: [stateReal],
    },
    fs,
  );
  if (masks.incomplete !== null) notes.push(masks.incomplete);

  const stateShown = covered(stateReal);
  const outsideState = (path: string): boolean => !stateShown || !isWithin(path, stateReal);
  const hiddenAll = hiddenPaths(input, home, fs, covered, searched);
  // A hidden file that does not exist yet is created first, or the server could create it.
  const create = input.hide
    .filter((path) => fs.lstat(path) === null)
    .map(real)
    .filter((path) => covered(path) && outsideState(path));
  const hidden = {
    dirs: hiddenAll.dirs.filter(outsideState),
    files: unique([...hiddenAll.files, ...create].filter(outsideState)).sort(),
  };
  const writableHere = [...roots, cacheDir];
  const inWritable = (path: string): boolean =>
    writableHere.some((w) => isWithin(path, w)) && !isWithin(path, stateReal);
  const createDirs = unique(
    (input.protectFolders ?? [])
      .filter((path) => fs.lstat(path) === null)
      .map(real)
      .filter(inWritable),
  );
  const protect = unique([
    ...[...input.protect, ...(input.protectFolders ?? [])]
      .map((path) => fs.realpath(path))
      .filter((path): path is string => path !== null),
    ...createDirs,
    ...masks.runnable,
  ]).filter(inWritable);
  const refusal =
    planted.length === 0
      ? null
      : `will not follow the symlink ${planted.join(', ')}: it lies in a root, where a confined server could have planted it; name its target in the manifest instead, or remove it`;
  return {
    exec: program.exec,
    cwd: real(server.cwd),
    home,
    homeReal: home === null ? null : real(home),
    program: programPaths,
    roots,
    readOnly,
    links,
    masks,
    hidden,
    protect,
    create,
    createDirs,
    refusal,
    stateDir: stateShown ? stateReal : null,
    cacheDir,
    env,
    notes,
  };
}

/**
 * Paths that must never be visible, masked when a shown folder contains them: the user's runtime
 * folder (also when a root lies inside it), the ssh agent's folder, docker's sockets, the host's
 * `/run`, and the extra `hide` paths (the audit log).
 */
function hiddenPaths(
  input: ViewInput,
  home: string | null,
  fs: FsView,
  covered: (path: string) => boolean,
  searched: readonly string[],
): { dirs: string[]; files: string[] } {
  const { hostEnv } = input;
  const dirs = new Set<string>();
  const files = new Set<string>();
  const add = (path: string | null, contains = false): void => {
    if (path === null) return;
    const target = fs.realpath(path);
    if (target === null) return;
    const inside = covered(target) && !input.system.some((s) => isWithin(target, s));
    const around = contains && searched.some((s) => isWithin(s, target));
    if (!inside && !around) return;
    if (fs.stat(target) === 'dir') dirs.add(target);
    else files.add(target);
  };
  add(absolute(hostEnv.XDG_RUNTIME_DIR), true);
  const agent = absolute(hostEnv.SSH_AUTH_SOCK);
  if (agent !== null) {
    add(agent);
    const folder = posix.dirname(agent);
    if (folder !== '/' && folder !== '/tmp' && folder !== home) add(folder);
  }
  for (const socket of DOCKER_SOCKETS) add(socket);
  if (home !== null) {
    add(posix.join(home, '.docker/run/docker.sock'));
    add(posix.join(home, '.docker/desktop/docker.sock'));
  }
  const dockerHost = hostEnv.DOCKER_HOST;
  if (dockerHost?.startsWith('unix://') === true) add(absolute(dockerHost.slice(7)));
  add('/run');
  add('/var/run');
  for (const path of input.hide) add(path);
  return { dirs: [...dirs].sort(), files: [...files].sort() };
}

function absolute(value: string | undefined): string | null {
  return value !== undefined && value.startsWith('/') ? clean(value) : null;
}

function unique(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}

/** The paths not inside another one of them (each folder is searched once). */
function outermost(paths: readonly string[]): string[] {
  const all = unique(paths);
  return all.filter((p) => !all.some((q) => q !== p && isWithin(p, q)));
}

/** The real path of `path`, or of its longest existing ancestor with the rest appended. */
export function realLoose(path: string, fs: FsView): string {
  const tail: string[] = [];
  let at = clean(path);
  for (;;) {
    const real = fs.realpath(at);
    if (real !== null) return tail.length === 0 ? real : posix.join(real, ...tail.reverse());
    if (at === '/') return clean(path);
    tail.push(posix.basename(at));
    at = posix.dirname(at);
  }
}
