/**
 * What a confined server needs to see of its own program, read-only: the command found on PATH,
 * the install it belongs to (a Node or Python install, which nvm, fnm, volta or pyenv keep under
 * `$HOME`), its script interpreter, a venv's base Python, and the package folder of any existing
 * file named in its arguments. Everything else of `$HOME` stays invisible.
 */
import { posix } from 'node:path';
import type { FsView } from './fs-view.js';
import { isWithin } from '../policy/paths/within.js';
import { clean, depthOf } from './path-utils.js';
import { plantedLink } from './planted-links.js';

export interface ProgramInput {
  command: string;
  args: readonly string[];
  /** The server's working directory (relative commands and arguments are taken from here). */
  cwd: string;
  /** The PATH the command is looked up on. */
  searchPath: string;
  /** The user's home folder (never mounted as a whole), or null. */
  home: string | null;
  /** Folders already visible in the sandbox (the system ones): nothing under them is added. */
  visible: readonly string[];
  /** Real paths of folders a confined server may write: symlinks there are not followed. */
  writable?: readonly string[];
}

export interface ProgramView {
  /** The absolute path to execute, or null when the command does not exist. */
  exec: string | null;
  /** Real paths of the folders and files the program needs, read-only. */
  readOnly: string[];
  /** Symlinks inside `writable` folders that finding the program would have followed. */
  planted: string[];
}

/** Folders directly in `$HOME` that hold language runtimes (not credentials), mountable whole. */
const HOME_RUNTIMES = new Set([
  '.volta',
  '.bun',
  '.deno',
  '.nvm',
  '.fnm',
  '.nodenv',
  '.pyenv',
  '.rbenv',
  '.asdf',
]);
/** Files that mark the top of a package or project. */
const PACKAGE_MARKERS = ['package.json', 'pyproject.toml', 'setup.py', 'deno.json', 'deno.jsonc'];
const SHEBANG_BYTES = 256;

/** Why: the one place that decides what of the host a server's own program makes visible. */
export function resolveProgram(input: ProgramInput, fs: FsView): ProgramView {
  const found = findCommand(input, fs);
  if (found === null) return { exec: null, readOnly: [], planted: [] };
  const planted = new Set<string>();
  const trusted = (path: string): boolean => {
    const link = plantedLink(path, input.writable ?? [], fs);
    if (link !== null) planted.add(link);
    return link === null;
  };
  trusted(found);
  const out = new Set<string>();
  const add = (path: string | null): void => {
    if (path !== null && !input.visible.some((v) => isWithin(path, v))) out.add(path);
  };
  const dirReal = fs.realpath(posix.dirname(found)) ?? posix.dirname(found);
  const exec = posix.join(dirReal, posix.basename(found));
  const real = fs.realpath(exec) ?? exec;
  for (const path of new Set([exec, real])) {
    for (const root of installRoots(path, input, fs)) add(root);
  }
  for (const interpreter of shebangTargets(real, input, fs)) {
    for (const root of installRoots(interpreter, input, fs)) add(root);
  }
  for (const arg of input.args) {
    const candidate = posix.resolve(input.cwd, arg);
    if (arg === '' || fs.stat(candidate) !== 'file' || !trusted(candidate)) continue;
    const real = fs.realpath(candidate) ?? candidate;
    for (const folder of packageFolders(real, input.home, fs, trusted)) add(folder);
  }
  return { exec, readOnly: [...out].sort(), planted: [...planted].sort() };
}

/** The command as the spawn would find it: a path (taken from cwd), else the first hit on PATH. */
export function findCommand(
  input: Pick<ProgramInput, 'command' | 'cwd' | 'searchPath'>,
  fs: FsView,
): string | null {
  const { command } = input;
  if (command === '') return null;
  if (command.includes('/')) {
    const path = posix.resolve(input.cwd, command);
    return fs.stat(path) === null ? null : path;
  }
  for (const dir of input.searchPath.split(':')) {
    const candidate = posix.resolve(input.cwd, dir === '' ? '.' : dir, command);
    if (fs.executable(candidate)) return candidate;
  }
  return null;
}

/**
 * The install a program belongs to: `X` for `X/bin/prog` (a Node or Python install, a venv),
 * plus the venv's base Python. Never `$HOME`, an ancestor of it, or a folder directly in it
 * other than a known runtime manager's (`~/.local`, `~/.cargo` hold more than programs): there
 * only the file itself.
 */
function installRoots(path: string, input: ProgramInput, fs: FsView): string[] {
  const dir = posix.dirname(path);
  const base = posix.basename(dir);
  const root = base === 'bin' || base === 'sbin' || base === 'shims' ? posix.dirname(dir) : dir;
  const roots = [mountable(root, input.home) ? root : path];
  const cfg = fs.readHead(posix.join(root, 'pyvenv.cfg'), 4096);
  const home = cfg === null ? undefined : /^\s*home\s*=\s*(.+?)\s*$/m.exec(cfg)?.[1];
  if (home !== undefined && home.startsWith('/')) {
    const baseRoot = posix.basename(home) === 'bin' ? posix.dirname(home) : home;
    const real = fs.realpath(baseRoot);
    if (real !== null && mountable(real, input.home)) roots.push(real);
  }
  return roots.map(clean);
}

function mountable(folder: string, home: string | null): boolean {
  if (folder === '/' || depthOf(folder) < 1) return false;
  if (home === null) return true;
  if (isWithin(home, folder)) return false;
  if (posix.dirname(folder) === home) return HOME_RUNTIMES.has(posix.basename(folder));
  return true;
}

/** The interpreter named by a script's `#!` line (through `env`, looked up on PATH). */
function shebangTargets(file: string, input: ProgramInput, fs: FsView): string[] {
  const head = fs.readHead(file, SHEBANG_BYTES);
  if (head === null || !head.startsWith('#!')) return [];
  const words = head.slice(2).split('\n')[0]!.trim().split(/\s+/);
  const [interpreter, ...rest] = words;
  if (interpreter === undefined || !interpreter.startsWith('/')) return [];
  const targets = [interpreter];
  if (posix.basename(interpreter) === 'env') {
    const name = rest.find((word) => !word.startsWith('-') && !word.includes('='));
    const found =
      name === undefined ? null : findCommand({ ...input, command: name, cwd: '/' }, fs);
    if (found !== null) targets.push(fs.realpath(found) ?? found, found);
  }
  return targets;
}

/**
 * The package a file named in the arguments belongs to: under `node_modules`, the outermost
 * `node_modules` folder (hoisted dependencies live there); else the nearest folder with a
 * package marker below `$HOME`, plus any `node_modules` of its ancestors (a workspace's hoisted
 * dependencies); with no marker, the file alone.
 */
export function packageFolders(
  file: string,
  home: string | null,
  fs: FsView,
  trusted: (path: string) => boolean = () => true,
): string[] {
  const parts = file.split('/');
  const nm = parts.indexOf('node_modules');
  if (nm > 0) return [parts.slice(0, nm + 1).join('/') || '/'];
  const stop = (dir: string): boolean => dir === '/' || (home !== null && isWithin(home, dir));
  let dir = posix.dirname(file);
  while (!stop(dir)) {
    const here = dir;
    if (PACKAGE_MARKERS.some((marker) => fs.stat(posix.join(here, marker)) === 'file')) {
      const folders = [dir];
      for (let up = posix.dirname(dir); !stop(up); up = posix.dirname(up)) {
        const modules = posix.join(up, 'node_modules');
        if (fs.stat(modules) === 'dir' && trusted(modules)) {
          folders.push(fs.realpath(modules) ?? modules);
        }
      }
      return folders;
    }
    dir = posix.dirname(dir);
  }
  return [file];
}
