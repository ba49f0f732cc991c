/**
 * Descriptors mcp-guard inherited without close-on-exec (a client's or a shell's, by mistake or
 * on purpose) would pass on to every server it spawns, sandbox or not: a confined server could
 * read or overwrite a host file through one, past every rule of its sandbox. mcp-guard never
 * uses them, so it closes them before a spawn. Node opens its own descriptors close-on-exec, so
 * a descriptor above 2 without that flag is inherited. Linux only (/proc/self/fdinfo).
 */
import { closeSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** Why: the descriptors above 2 of `fdinfo` entries whose flags lack close-on-exec. */
export function inheritedDescriptors(
  entries: readonly string[],
  readInfo: (fd: number) => string,
  keep: readonly number[] = [],
): number[] {
  const found: number[] = [];
  for (const entry of entries) {
    const fd = Number(entry);
    if (!Number.isInteger(fd) || fd <= 2 || keep.includes(fd)) continue;
    let info: string;
    try {
      info = readInfo(fd);
    } catch {
      continue; // the directory's own descriptor, closed meanwhile
    }
    const flags = /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
    if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) found.push(fd);
  }
  return found;
}

/** Why: closes what mcp-guard inherited without close-on-exec (Node's IPC channel excepted). */
export function closeInheritedDescriptors(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'linux') return;
  let entries: string[];
  try {
    entries = readdirSync('/proc/self/fdinfo');
  } catch {
    return;
  }
  const channel = Number(process.env.NODE_CHANNEL_FD);
  const keep = Number.isInteger(channel) ? [channel] : [];
  const read = (fd: number): string => readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  for (const fd of inheritedDescriptors(entries, read, keep)) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
