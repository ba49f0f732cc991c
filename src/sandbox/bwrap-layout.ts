/**
 * bubblewrap's mount layout: a SandboxView as bubblewrap options. Allowlist only — the sandbox starts
 * from an empty root and shows `/usr` (with the `/bin`, `/lib*` links), `/etc`, a fresh `/proc`,
 * a minimal `/dev`, private `/tmp` and `/run`, an empty `$HOME`, then the program, roots and
 * read-only paths parent-first; masks, protected files and the private cache come last, so they
 * lie on top of whatever shows them.
 */
import type { AllowDeny } from '../config/types.js';
import type { FsView } from './fs-view.js';
import { isWithin } from '../policy/paths/within.js';
import { parentFirst } from './path-utils.js';
import type { SandboxView } from './view.js';

/** Why: every namespace, no capabilities, no nested namespaces, tied to mcp-guard's life. */
export const ISOLATION_FLAGS: readonly string[] = [
  '--unshare-all',
  '--unshare-user',
  '--cap-drop',
  'ALL',
  '--disable-userns',
  '--die-with-parent',
  '--new-session',
  '--clearenv',
];

/** Folders the backend always shows read-only. */
export const SYSTEM_FOLDERS: readonly string[] = ['/usr', '/etc'];
/** Top-level names that merged-/usr systems make symlinks into /usr. */
const USR_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

type Op =
  | { op: 'ro-bind' | 'bind'; src: string; dest: string }
  | { op: 'tmpfs' | 'proc' | 'dev' | 'dir' | 'remount-ro'; dest: string }
  | { op: 'symlink'; target: string; dest: string };

/** Why: `/bin`, `/lib*` as the host has them: symlinks where /usr is merged, else read-only. */
export function systemOps(fs: FsView, network: AllowDeny): Op[] {
  const ops: Op[] = [
    { op: 'ro-bind', src: '/usr', dest: '/usr' },
    { op: 'ro-bind', src: '/etc', dest: '/etc' },
    { op: 'proc', dest: '/proc' },
    { op: 'dev', dest: '/dev' },
    { op: 'tmpfs', dest: '/tmp' },
    { op: 'tmpfs', dest: '/run' },
  ];
  for (const name of USR_LINKS) {
    const path = `/${name}`;
    const kind = fs.lstat(path);
    const target = kind === 'symlink' ? fs.readlink(path) : null;
    if (target !== null) ops.push({ op: 'symlink', target, dest: path });
    else if (kind === 'dir') ops.push({ op: 'ro-bind', src: path, dest: path });
  }
  if (network === 'allow') {
    // resolv.conf is often a link into /run (systemd-resolved): show that one file.
    const resolv = fs.realpath('/etc/resolv.conf');
    if (resolv !== null && !SYSTEM_FOLDERS.some((folder) => isWithin(resolv, folder))) {
      ops.push({ op: 'ro-bind', src: resolv, dest: resolv });
    }
  }
  return ops;
}

/** Who a server started by root is inside the sandbox: `nobody`, mapped to root outside. */
export const UNPRIVILEGED_ID = '65534';

/**
 * Why: the complete option list (handed to bwrap on a descriptor, see bwrap.ts). Started by
 * root, the server is not uid 0 inside: it runs as `nobody` (still root's files' owner, through
 * the user namespace's mapping, and without any capability).
 */
export function bwrapOptions(
  view: SandboxView,
  system: readonly Op[],
  network: AllowDeny,
  asRoot = false,
): string[] {
  const args: string[] = [...ISOLATION_FLAGS];
  if (network === 'allow') args.splice(1, 0, '--share-net');
  if (asRoot) args.push('--uid', UNPRIVILEGED_ID, '--gid', UNPRIVILEGED_ID);
  for (const name of Object.keys(view.env).sort()) args.push('--setenv', name, view.env[name]!);
  const layout = baseLayout(view, system);
  const shownFromHost = layout.filter((op) => op.op === 'ro-bind' || op.op === 'bind');
  const ops: Op[] = [...layout];
  for (const link of [...view.links].sort((a, b) => parentFirst(a.path, b.path))) {
    ops.push({ op: 'symlink', target: link.target, dest: link.path });
  }
  const masked: string[] = view.stateDir === null ? [] : [view.stateDir];
  const hiddenAlready = (path: string): boolean => masked.some((dir) => isWithin(path, dir));
  const maskDirs = new Set([...view.hidden.dirs, ...view.masks.dirs]);
  const maskFiles = new Set([...view.hidden.files, ...view.masks.files]);
  for (const path of [...maskDirs, ...maskFiles].sort(parentFirst)) {
    if (hiddenAlready(path)) continue;
    if (maskDirs.has(path)) {
      ops.push({ op: 'tmpfs', dest: path }, { op: 'remount-ro', dest: path });
      masked.push(path);
    } else {
      ops.push({ op: 'ro-bind', src: '/dev/null', dest: path });
    }
  }
  for (const path of [...view.protect].sort(parentFirst)) {
    if (!hiddenAlready(path)) ops.push({ op: 'ro-bind', src: path, dest: path });
  }
  if (view.stateDir !== null) ops.push({ op: 'tmpfs', dest: view.stateDir });
  ops.push({ op: 'bind', src: view.cacheDir, dest: view.cacheDir });
  if (view.stateDir !== null) ops.push({ op: 'remount-ro', dest: view.stateDir });
  const cwdShown =
    shownFromHost.some((op) => isWithin(view.cwd, op.dest)) ||
    layout.some((op) => op.op === 'tmpfs' && op.dest === view.cwd);
  if (!cwdShown) ops.push({ op: 'dir', dest: view.cwd });
  for (const op of ops) args.push(...render(op));
  args.push('--chdir', view.cwd);
  return args;
}

/**
 * The system folders, an empty `$HOME` (unless a shown path contains it), then the program,
 * roots and read-only paths, parent-first. One mount per path: a read-only path beats a root,
 * a root beats the program's own folders, and those beat the system layout.
 */
function baseLayout(view: SandboxView, system: readonly Op[]): Op[] {
  const byDest = new Map<string, { rank: number; op: Op }>();
  const put = (rank: number, op: Op): void => {
    const seen = byDest.get(op.dest);
    if (seen === undefined || seen.rank <= rank) byDest.set(op.dest, { rank, op });
  };
  for (const op of system) put(0, op);
  const shown = [...view.program, ...view.roots, ...view.readOnly];
  const home = view.home;
  if (home !== null && home !== '/' && !shown.some((path) => isWithin(home, path))) {
    put(1, { op: 'tmpfs', dest: home });
  }
  for (const path of view.program) put(2, { op: 'ro-bind', src: path, dest: path });
  for (const path of view.roots) put(3, { op: 'bind', src: path, dest: path });
  for (const path of view.readOnly) put(4, { op: 'ro-bind', src: path, dest: path });
  return [...byDest.values()].map((entry) => entry.op).sort((a, b) => parentFirst(a.dest, b.dest));
}

function render(op: Op): string[] {
  switch (op.op) {
    case 'ro-bind':
    case 'bind':
      return [`--${op.op}`, op.src, op.dest];
    case 'symlink':
      return ['--symlink', op.target, op.dest];
    case 'tmpfs':
    case 'proc':
    case 'dev':
    case 'dir':
    case 'remount-ro':
      return [`--${op.op}`, op.dest];
  }
}

export type { Op as BwrapOp };
