/**
 * Keeps environment values out of the audit log (SPEC section 7): a server's arguments may have
 * been built from `${env:…}` (a token, a key), so before they are logged every value of the
 * server's `env` and of mcp-guard's own environment is written back as `${env:NAME}`. Variables
 * that only hold well-known paths and names are left alone, so paths stay readable.
 */

const NOT_SECRET = new Set([
  'PWD',
  'OLDPWD',
  'HOME',
  'USERPROFILE',
  'HOMEPATH',
  'HOMEDRIVE',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SHELL',
  'PATH',
  'LOGNAME',
  'USER',
  'USERNAME',
  'LANG',
  'TERM',
  'SHLVL',
  '_',
  'SYSTEMROOT',
  'SYSTEMDRIVE',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMFILES',
  'XDG_CONFIG_HOME',
  'XDG_STATE_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_RUNTIME_DIR',
]);
/** An absolute or relative path, POSIX or Windows. */
const PATH_LIKE = /^(?:[/~]|\.{1,2}[/\\]|[A-Za-z]:[/\\]|\\\\)/;
/** Shorter values are too likely to match by chance (`1`, `on`, `dev`). */
const MIN_LENGTH = 4;

export function maskEnvValues(
  args: readonly string[],
  serverEnv: Readonly<Record<string, string>>,
  hostEnv: NodeJS.ProcessEnv,
): string[] {
  const values: [string, string][] = [];
  for (const [name, value] of Object.entries(serverEnv)) values.push([value, name]);
  for (const [name, value] of Object.entries(hostEnv)) {
    if (value !== undefined && !NOT_SECRET.has(name.toUpperCase())) values.push([value, name]);
  }
  const usable = values.filter(([value]) => value.length >= MIN_LENGTH);
  usable.sort((a, b) => b[0].length - a[0].length);
  return args.map((arg) => {
    let out = arg;
    for (const [value, name] of usable) {
      if (out.includes(value)) out = out.split(value).join(`\${env:${name}}`);
    }
    return out;
  });
}

/**
 * Why: the environment values a server could reveal, which the audit log keeps out of every
 * record (SPEC 7): each value it is given (`inheritEnv`, `env`) and each value of mcp-guard's
 * environment its command line was built from (what `maskEnvValues` masks), except the
 * well-known paths and names above. A host value that is a path (`/…`, `~…`, `./…`, `C:\…`) found
 * in the command line is only masked there: a folder is no credential, and hiding it everywhere
 * would hide every path under it.
 */
export function secretEnvValues(
  serverEnv: Readonly<Record<string, string>>,
  commandLine: readonly string[],
  hostEnv: NodeJS.ProcessEnv,
): { name: string; value: string }[] {
  const found: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(serverEnv)) {
    if (!NOT_SECRET.has(name.toUpperCase())) found.push({ name, value });
  }
  for (const [name, value] of Object.entries(hostEnv)) {
    if (value === undefined || value.length < MIN_LENGTH || NOT_SECRET.has(name.toUpperCase())) {
      continue;
    }
    if (!PATH_LIKE.test(value) && commandLine.some((arg) => arg.includes(value))) {
      found.push({ name, value });
    }
  }
  return found;
}
