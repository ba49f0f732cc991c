/**
 * `file:` URIs as paths, in both the ways servers read them:
 *
 * - by the WHATWG URL rules Node itself uses (`new URL`, `fileURLToPath`: `..`, `%2e%2e` and `\`
 *   are read as a URL reader reads them, the query and fragment dropped), then fully
 *   percent-decoded — an encoded `/` (`%2f`) becomes a separator rather than a refusal, so
 *   `..%2f` climbs as a lenient server would let it;
 * - by text, as a server that cuts off `file://` and decodes the rest reads them: the query and
 *   fragment stay in the path (`file:///root/x?/../../etc` climbs to `/etc`).
 */
import type { PathFlavor } from './flavor.js';
import { found, refused, type PathResult } from './result.js';

export const FILE_URI = /^file:/i;

/** Why: the path a `file:` URI names on this host; refused for a remote host or bad encoding. */
export function fileUriToPath(uri: string, flavor: PathFlavor): PathResult {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return refused('is not a valid file: URI');
  }
  if (url.hostname !== '' && url.hostname !== 'localhost')
    return refused(`is a file: URI on another host (${url.hostname})`);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return refused('is a file: URI with malformed percent-encoding');
  }
  return found(dropDriveSlash(path, flavor));
}

/**
 * Why: the path a server that treats the URI as text makes of it — `file:` and `//` cut off,
 * the rest as it is (percent-decoding is a further reading, percentDecoded).
 */
export function fileUriText(uri: string, flavor: PathFlavor): string {
  return dropDriveSlash(uri.replace(/^file:(?:\/\/)?/i, ''), flavor);
}

/**
 * Why: a server may percent-decode what it takes for a path. Valid escapes are decoded (their
 * bytes as UTF-8), anything else is kept as it is; `undefined` when there is nothing to decode.
 */
export function percentDecoded(value: string): string | undefined {
  if (!/%[0-9A-Fa-f]{2}/.test(value)) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8');
      }
    });
  }
}

// `/C:/x` is drive C on Windows; on POSIX it stays a folder named `C:`.
function dropDriveSlash(path: string, flavor: PathFlavor): string {
  if (flavor === 'win32' && /^\/[A-Za-z]:(?:[\\/]|$)/.test(path))
    return path.length === 3 ? `${path.slice(1)}\\` : path.slice(1);
  return path;
}
