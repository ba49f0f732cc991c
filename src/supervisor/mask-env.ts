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
